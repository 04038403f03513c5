"""Denmark's 98 kommuner for `bench_national`: every kommune on one deployment.

København is built exactly as `bench_data` builds it alone (45,000 people, 2,500 units,
seed 45), so its scenarios can be compared with the single-kommune run. The other 97
share the rest of the 500,000 people in proportion to their populations (rounded, about
2024), as a kommune's workforce roughly follows the number of citizens it serves; each
gets a seed of its own, so no two are the same organisation at another size."""

from __future__ import annotations

from dataclasses import dataclass

from kompetence.bench.management.commands.bench_data import SLUG

TOTAL_PEOPLE = 500_000
KOEBENHAVN_PEOPLE = 45_000
KOEBENHAVN_UNITS = 2_500
KOEBENHAVN_SEED = 45
# København's ratio of people to units (18 to a unit); a small kommune still gets the
# levels the benchmark logins need (direktion, forvaltninger, centre, afdelinger).
PEOPLE_PER_UNIT = KOEBENHAVN_PEOPLE / KOEBENHAVN_UNITS
MIN_UNITS = 50

# (name, inhabitants) for the 97 kommuner besides København, by region.
POPULATIONS = (
    # Region Hovedstaden
    ("Frederiksberg", 105_000),
    ("Ballerup", 52_000),
    ("Brøndby", 36_000),
    ("Dragør", 14_500),
    ("Gentofte", 75_000),
    ("Gladsaxe", 70_000),
    ("Glostrup", 24_000),
    ("Herlev", 30_000),
    ("Albertslund", 28_000),
    ("Hvidovre", 54_000),
    ("Høje-Taastrup", 57_000),
    ("Lyngby-Taarbæk", 57_000),
    ("Rødovre", 41_000),
    ("Ishøj", 24_000),
    ("Tårnby", 44_000),
    ("Vallensbæk", 17_000),
    ("Furesø", 41_000),
    ("Allerød", 26_000),
    ("Fredensborg", 41_000),
    ("Helsingør", 63_000),
    ("Hillerød", 53_000),
    ("Hørsholm", 25_000),
    ("Rudersdal", 57_000),
    ("Egedal", 44_000),
    ("Frederikssund", 46_000),
    ("Gribskov", 41_000),
    ("Halsnæs", 31_000),
    ("Bornholm", 39_000),
    # Region Sjælland
    ("Greve", 51_000),
    ("Køge", 62_000),
    ("Roskilde", 91_000),
    ("Solrød", 24_000),
    ("Odsherred", 33_000),
    ("Holbæk", 73_000),
    ("Faxe", 37_000),
    ("Kalundborg", 49_000),
    ("Ringsted", 36_000),
    ("Slagelse", 80_000),
    ("Stevns", 23_000),
    ("Sorø", 30_000),
    ("Lejre", 29_000),
    ("Lolland", 40_000),
    ("Næstved", 84_000),
    ("Guldborgsund", 60_000),
    ("Vordingborg", 46_000),
    # Region Syddanmark
    ("Middelfart", 39_000),
    ("Assens", 41_000),
    ("Faaborg-Midtfyn", 52_000),
    ("Kerteminde", 24_000),
    ("Nyborg", 32_000),
    ("Odense", 207_000),
    ("Svendborg", 59_000),
    ("Nordfyns", 30_000),
    ("Langeland", 12_000),
    ("Ærø", 6_000),
    ("Haderslev", 56_000),
    ("Billund", 27_000),
    ("Sønderborg", 74_000),
    ("Tønder", 37_000),
    ("Esbjerg", 116_000),
    ("Fanø", 3_500),
    ("Varde", 50_000),
    ("Vejen", 43_000),
    ("Aabenraa", 59_000),
    ("Fredericia", 52_000),
    ("Kolding", 95_000),
    ("Vejle", 120_000),
    # Region Midtjylland
    ("Horsens", 97_000),
    ("Hedensted", 47_000),
    ("Skanderborg", 64_000),
    ("Aarhus", 367_000),
    ("Odder", 24_000),
    ("Randers", 99_000),
    ("Norddjurs", 37_000),
    ("Syddjurs", 43_000),
    ("Favrskov", 50_000),
    ("Silkeborg", 98_000),
    ("Samsø", 3_700),
    ("Herning", 90_000),
    ("Holstebro", 59_000),
    ("Lemvig", 19_000),
    ("Struer", 21_000),
    ("Skive", 46_000),
    ("Viborg", 98_000),
    ("Ikast-Brande", 42_000),
    ("Ringkøbing-Skjern", 56_000),
    # Region Nordjylland
    ("Frederikshavn", 58_000),
    ("Aalborg", 222_000),
    ("Hjørring", 64_000),
    ("Brønderslev", 36_000),
    ("Jammerbugt", 38_000),
    ("Læsø", 1_700),
    ("Mariagerfjord", 41_000),
    ("Morsø", 20_000),
    ("Rebild", 30_000),
    ("Thisted", 43_000),
    ("Vesthimmerlands", 36_000),
)


@dataclass(frozen=True)
class BenchKommune:
    slug: str
    name: str
    people: int
    units: int
    seed: int


def slug_of(name: str) -> str:
    """The host name's first label: "Ringkøbing-Skjern" → "ringkoebing-skjern"."""
    return name.lower().replace("æ", "ae").replace("ø", "oe").replace("å", "aa").replace(" ", "-")


def national(total: int = TOTAL_PEOPLE) -> list[BenchKommune]:
    """København first (so it gets the ids it gets when built alone), then the other 97,
    their people summing to `total` exactly."""
    rest = total - KOEBENHAVN_PEOPLE
    inhabitants = sum(n for _name, n in POPULATIONS)
    people = [round(rest * n / inhabitants) for _name, n in POPULATIONS]
    largest = people.index(max(people))
    people[largest] += rest - sum(people)  # the rounding, given to Aarhus
    result = [
        BenchKommune(
            SLUG,
            "Københavns Kommune (benchmark)",
            KOEBENHAVN_PEOPLE,
            KOEBENHAVN_UNITS,
            KOEBENHAVN_SEED,
        )
    ]
    for index, ((name, _n), size) in enumerate(zip(POPULATIONS, people, strict=True), start=1):
        title = "Bornholms Regionskommune" if name == "Bornholm" else f"{name} Kommune"
        result.append(
            BenchKommune(
                slug_of(name),
                f"{title} (benchmark)",
                size,
                max(MIN_UNITS, round(size / PEOPLE_PER_UNIT)),
                KOEBENHAVN_SEED + index,
            )
        )
    return result
