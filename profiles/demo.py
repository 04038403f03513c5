"""Demo data for profiles, called by `manage.py seed_demo` inside each kommune's scope.

Fredericia gets its competence wheel (nine employee and ten leader competences),
Hvidovre its matrix of roles and perspectives; both get the København scale, a few job
profiles, unit profiles and an evaluation round with believable answers. Texts are our
own wording of the seeds' facts. Everything is found again by name, so a second run
changes nothing.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field

from django.utils import timezone

from kompetence.demo import DemoOrg
from kompetence.models import OrgUnit, Person, Position
from profiles import selectors, services
from profiles.models import (
    LEADER_ROLES,
    Assessment,
    Competence,
    Evaluation,
    EvaluationRound,
    Framework,
    FrameworkVersion,
    JobProfile,
    RatingScale,
    Role,
    UnitProfileLevel,
)

SCALE_NAME = "Københavnerskalaen (0\N{EN DASH}5)"  # the name services give it
GENERAL, PROFESSIONAL, LEADER = (
    Competence.Kind.GENERAL,
    Competence.Kind.PROFESSIONAL,
    Competence.Kind.LEADER,
)


@dataclass(frozen=True)
class CompetenceText:
    name: str
    short_description: str
    what: str = ""
    why: str = ""
    how: str = ""
    kind: str = GENERAL


@dataclass(frozen=True)
class GroupText:
    name: str
    description: str
    competences: list[tuple[CompetenceText, list[str]]] = field(default_factory=list)


# --- Fredericia: the competence wheel ---------------------------------------------

FREDERICIA_FRAMEWORK = "Kompetencehjulet"
FREDERICIA_DESCRIPTION = (
    "Fredericia Kommunes kompetencehjul: ni kernekompetencer for alle medarbejdere og ti "
    "lederkompetencer, samlet under Udvikling, Kultur og Resultater."
)

UDVIKLING = [
    CompetenceText(
        "Forandringskompetence",
        "At møde forandringer og nye opgaver som en mulighed.",
        what="Du tager nye opgaver og ændrede vilkår til dig og ser forandring som en chance "
        "for at lære og få mere ud af arbejdet. Lidt uro i hverdagen skræmmer dig ikke.",
        why="Kommunen skal hele tiden kunne tilpasse sig nye krav og behov og selv være med "
        "til at forme fremtiden.",
        how="Tal åbent med kolleger og leder om ændringer og om borgernes nye behov, og sig "
        "til, når noget gør dig utryg. Jobbytte, sidemandsoplæring og erfaringer fra andre "
        "kommuner er gode måder at øve sig på.",
    ),
    CompetenceText(
        "Innovationskompetence",
        "At få nye ideer og føre dem ud i praksis.",
        what="Du stiller spørgsmål ved vante løsninger, alene og sammen med andre, og tænker "
        "i nye og utraditionelle baner. Du hjælper med at gøre ideerne til praksis.",
        why="Kravene til kommunen ændrer sig i en verden i bevægelse, og medarbejderne skal "
        "være med til at finde kursen.",
        how="Deltag i idéudvikling og i at afprøve forslag i hverdagen, fx på "
        "fremtidsværksteder og lærende møder. Studiebesøg hos nytænkende kommuner og "
        "regioner giver ny inspiration.",
    ),
    CompetenceText(
        "Lærings- og videndelingskompetence",
        "At lære nyt hele tiden og dele sin viden med andre.",
        what="Du søger selv ny viden, er nysgerrig på kollegernes erfaringer og bruger det, "
        "du lærer, i dit daglige arbejde.",
        why="Opgaverne bliver mere komplekse, og borgere og lovgivning stiller stigende krav, "
        "så vi må hele tiden blive dygtigere.",
        how="Giv relevant viden videre på møder, i nyhedsbreve og digitale kanaler, og brug "
        "refleksion og selvevaluering. Indgå i faglige netværk, og husk kolleger, der "
        "arbejder alene.",
    ),
]
KULTUR = [
    CompetenceText(
        "Samarbejdskompetence",
        "At løse opgaver sammen med andre på tværs af fag og forskelle.",
        what="Du respekterer andres faglighed og arbejder godt sammen med kolleger, også når "
        "I har forskellige fag, interesser og kompetencer.",
        why="Borgerne forventer sammenhængende løsninger, og dem kan ingen skabe alene.",
        how="Kommunikér åbent og ligeværdigt, og bliv enige om, hvordan opgaven løses bedst. "
        "Tag uenighed konstruktivt, og brug borgernes tilbagemeldinger til at forbedre "
        "samarbejdet mellem faggrupper.",
    ),
    CompetenceText(
        "Selvledelseskompetence",
        "At planlægge og tage ansvar for sit eget arbejde.",
        what="Du tilrettelægger selv dit arbejde inden for lovgivning, retningslinjer og "
        "kommunens værdier og handler selvstændigt.",
        why="Når medarbejderne har ansvar og frihed, stiger engagement og arbejdsglæde, og "
        "det giver bedre opgaveløsning.",
        how="Tag initiativ, justér selv inden for rammerne, og aftal forventningerne til "
        "opgaven med din leder. Sæt også grænser, så der er balance mellem arbejde og "
        "privatliv.",
    ),
    CompetenceText(
        "Kommunikationskompetence",
        "At lytte og formidle, så modtageren forstår budskabet.",
        what="Du sætter dig ind i modtagerens situation, vælger den rigtige kanal og kan "
        "fortælle det, der gør en sag vedkommende for andre.",
        why="Borgerne skal have god og tidssvarende service, arbejdsgangene skal fungere, og "
        "medarbejderne er med til at give kommunen et godt omdømme.",
        how="Tal i øjenhøjde, lyt, og tag den gode samtale op på personalemøder. Gå direkte "
        "til de rette nøglepersoner, vær åben for nye digitale medier, og stå fast på din "
        "integritet.",
    ),
]
RESULTATER = [
    CompetenceText(
        "Faglig kompetence",
        "At bruge sin faglige viden og erfaring i hverdagen.",
        what="Du anvender din faglighed i det daglige, vælger gode løsninger som rutine og "
        "ser kritisk på arbejdsgange og ydelser.",
        why="Borgerne skal have et højt serviceniveau og ydelser af høj kvalitet.",
        how="Afklar jævnligt med din leder og dit team, hvilke kerne- og spidskompetencer I "
        "har brug for. Brug fagkurser, sidemandsoplæring, sparring, mentorer og faglige "
        "netværk.",
        kind=PROFESSIONAL,
    ),
    CompetenceText(
        "Servicekompetence",
        "At give god service inden for det politisk fastsatte serviceniveau.",
        what="Du handler med borgeren for øje og balancerer rollen som både serviceyder og "
        "myndighed inden for de rammer, politikerne har sat.",
        why="Kommunens omdømme afhænger af, at medarbejderne kan forene borgernes behov, "
        "lovgivningen og det vedtagne serviceniveau.",
        how="Sæt dig i borgerens sted, og kommunikér i øjenhøjde. Spørg efter brugernes "
        "tilbagemeldinger, og tænk sammen med kollegerne over, hvad brugerne får brug for "
        "fremover.",
    ),
    CompetenceText(
        "Resultatskabende kompetence",
        "At holde fokus på målene og nå de aftalte resultater.",
        what="Du arbejder målrettet mod de mål, der er sat, ser dig som en del af hele "
        "kommunen og leverer de resultater, der er aftalt.",
        why="Kommunens økonomi er presset, så ressourcerne skal bruges klogt, og borgerne "
        "skal have mest muligt for pengene.",
        how="Afklar opgave og rammer, formulér tydelige mål og den effekt, I ønsker, og vær "
        "aktiv i at nå afdelingens mål.",
    ),
]

LEADER_UDVIKLING = [
    CompetenceText(
        "Forandringsledelse",
        "At sætte retning og lede andre gennem forandringer.",
        what="Lederen beskriver tydeligt, hvor vi skal hen, og står synligt i spidsen for "
        "forandringen. Gennemførelsen planlægges godt, og de berørte inddrages i "
        "beslutningerne.",
        why="Forandringer lykkes kun, når medarbejderne forstår retningen og er med undervejs.",
        how="Kommunikér klart og løbende om forandringen, inddrag dem, den rammer, og hold et "
        "tempo, organisationen kan følge.",
        kind=LEADER,
    ),
    CompetenceText(
        "Strategisk ledelse",
        "At se fremad og gøre muligheder til strategi.",
        what="Lederen opfanger nye tendenser, tænker langsigtet og formulerer troværdige "
        "visioner og planer for fremtiden.",
        why="Kommunen skal være forberedt på morgendagens opgaver, ikke kun dagens.",
        how="Søg inspiration hos kolleger og uden for organisationen, og gør visionen til "
        "konkrete strategier og planer.",
        kind=LEADER,
    ),
    CompetenceText(
        "Nytænkning og udvikling",
        "At skabe rum for nye ideer og turde eksperimentere.",
        what="Lederen er nysgerrig, henter ideer bredt og udvikler nye ydelser sammen med "
        "borgere og brugere. Lederen tør tage en kalkuleret risiko.",
        why="Nye løsninger kræver, at nogen udfordrer det bestående og giver plads til at prøve.",
        how="Led kreative processer, opfordr medarbejderne til at tænke nyt, og giv tid og "
        "plads til at afprøve ideer i praksis.",
        kind=LEADER,
    ),
]
LEADER_KULTUR = [
    CompetenceText(
        "Samarbejde på tværs",
        "At skabe helhed og sammenhæng på tværs af organisationen.",
        what="Lederen varetager egne interesser og tænker samtidig på helheden. Lederen er "
        "åben over for kolleger og gør det muligt for medarbejderne at arbejde på tværs.",
        why="Borgernes forløb går på tværs af afdelinger, og derfor skal ledelsen også gøre det.",
        how="Gå i dialog om, hvordan I gør tingene, organisér teams, og støt dem gennem de "
        "forskellige faser af deres udvikling.",
        kind=LEADER,
    ),
    CompetenceText(
        "Værdibaseret ledelse",
        "At lede ud fra tydelige værdier og uddelegere ansvar.",
        what="Lederen formidler klare værdier og principper, drøfter deres betydning med "
        "medarbejderne og holder fast i dem, også i modvind.",
        why="Fælles værdier giver retning, når der ikke findes en regel for alt.",
        how="Tal jævnligt om værdierne i hverdagen, giv medarbejderne ansvar og "
        "beslutningskompetence, og hold både dig selv og andre op på værdierne.",
        kind=LEADER,
    ),
    CompetenceText(
        "Kommunikation",
        "At kommunikere klart, ærligt og tilpasset modtageren.",
        what="Lederen taler utvetydigt og oprigtigt og tilpasser stil og medie til situationen "
        "og modtageren. Lederen lytter opmærksomt.",
        why="Tillid og åben dialog forudsætter, at budskaberne er klare og bliver forstået.",
        how="Vælg den rette kanal, undgå at demotivere, og sørg for, at folk taler sammen, "
        "både med dig og med hinanden.",
        kind=LEADER,
    ),
    CompetenceText(
        "Personlig ledelseskraft",
        "At gå forrest med energi og tage ansvar for helheden.",
        what="Lederen trives i front, har energi og gennemslagskraft og tør tage upopulære "
        "beslutninger og kalkulerede risici.",
        why="Store opgaver kræver en leder, der kan samle folk, træffe beslutninger og holde fast.",
        how="Invitér til åben debat, men afslut den, når det er tid til at handle, og tag "
        "ansvar for både egne opgaver og helheden.",
        kind=LEADER,
    ),
    CompetenceText(
        "Organisatorisk forståelse",
        "At forstå, hvordan kommunen fungerer, og handle derefter.",
        what="Lederen kender kommunens opbygning og både de formelle og uformelle veje, og "
        "forstår baggrunden for politikker, procedurer og de forskellige faglige kulturer.",
        why="Kun med overblik over hele organisationen kan lederen prioritere rigtigt på tværs.",
        how="Brug både de formelle kanaler og dit netværk, og se din egen enhed som en del af "
        "en større sammenhæng.",
        kind=LEADER,
    ),
]
LEADER_RESULTATER = [
    CompetenceText(
        "Kunde- og brugerfokus",
        "At levere ydelser, der giver borgere og brugere tilfredshed.",
        what="Lederen sørger for, at aftalte ydelser leveres til tiden, og bruger viden om "
        "borgere og brugere til at forbedre servicen.",
        why="Kommunen er til for borgerne, og deres tillid skal fortjenes hver dag.",
        how="Indhent viden om brugernes behov, byg gode relationer, og lad "
        "tilbagemeldingerne styre forbedringerne.",
        kind=LEADER,
    ),
    CompetenceText(
        "Resultatorientering",
        "At sætte tydelige mål og holde fast, til de er nået.",
        what="Lederen fokuserer på det, der virkelig tæller, opstiller klare mål og milepæle "
        "og er vedholdende i at nå dem.",
        why="Ressourcerne er begrænsede, og resultaterne skal kunne ses.",
        how="Udtryk forventninger klart og motiverende, følg op, og tag fat i uløste opgaver "
        "og aftaler, der ikke bliver holdt.",
        kind=LEADER,
    ),
]

_LEADERS_ONLY = [str(role) for role in LEADER_ROLES]


def _wheel_group(name, description, employee, leader) -> GroupText:
    return GroupText(
        name,
        description,
        [(c, []) for c in employee] + [(c, _LEADERS_ONLY) for c in leader],
    )


FREDERICIA_GROUPS = [
    _wheel_group(
        "Udvikling",
        "Evnen til at forny os, vælge nye veje og blive ved med at lære.",
        UDVIKLING,
        LEADER_UDVIKLING,
    ),
    _wheel_group(
        "Kultur",
        "Hvordan vi arbejder sammen, leder os selv og taler med hinanden og med borgerne.",
        KULTUR,
        LEADER_KULTUR,
    ),
    _wheel_group(
        "Resultater",
        "Faglighed og service, der bliver til resultater for borgerne, skabt af os alle.",
        RESULTATER,
        LEADER_RESULTATER,
    ),
]

# --- Hvidovre: four perspectives by five roles ----------------------------------

HVIDOVRE_FRAMEWORK = "Ledelses- og medarbejdergrundlag"
HVIDOVRE_DESCRIPTION = (
    "Hvidovre Kommunes forventninger til ledere og medarbejdere, ordnet i fire perspektiver "
    "inspireret af Den Nye Syntese. Hver rolle har sine egne forventninger i hvert perspektiv."
)

D, C, LL, LM, M = (
    Role.DIREKTION,
    Role.CENTERCHEF,
    Role.LEDER_AF_LEDERE,
    Role.LEDER_AF_MEDARBEJDERE,
    Role.MEDARBEJDER,
)

# (group name, description, {role: [(name, short description), ...]})
PERSPECTIVES = [
    (
        "Sammen sikrer vi driften",
        "Compliance: en stabil og korrekt drift med klar ansvarsfordeling, høj faglighed og "
        "respekt for regler og nye procedurer.",
        {
            D: [
                (
                    "Går forrest for engagement i kerneopgaven",
                    "Direktionen viser vejen til en kultur, hvor engagement og resultater i "
                    "kerneopgaverne står i centrum.",
                ),
                (
                    "Kvalitet med blik for politikere og borgere",
                    "Vi holder fokus på kvalitet og har øje for, hvad politikere og borgere "
                    "har brug for.",
                ),
                (
                    "Sikrer sammenhængskraft og dialog",
                    "Vi holder organisationen sammen og sikrer dialog mellem kommunen og "
                    "centrene, også når vi arbejder på tværs.",
                ),
            ],
            C: [
                (
                    "Kvalitet ud fra centerets mål",
                    "Jeg styrer efter kvalitet med afsæt i centerets mål og med øje for "
                    "borgeres og virksomheders behov.",
                ),
                (
                    "Ansvar for faglighed og regelefterlevelse",
                    "Jeg står inde for den faglige kvalitet og for, at centerets ydelser lever "
                    "op til reglerne.",
                ),
                (
                    "Politisk forståelse og klar til enkeltsager",
                    "Jeg forstår det politiske niveau og er klædt på af medarbejderne til at "
                    "svare på spørgsmål i faglige enkeltsager.",
                ),
            ],
            LL: [
                (
                    "Bygger engagerede teams og godt samarbejde",
                    "Jeg opbygger effektive teams og et samarbejde, der giver stærke resultater.",
                ),
                (
                    "Balancerer faglig kvalitet og borgernes behov",
                    "Jeg har ansvaret for den faglige kvalitet og afvejer arbejdspladsens mål "
                    "mod det, borgerne har brug for.",
                ),
                (
                    "Sikrer, at reglerne følges",
                    "Jeg sørger for, at regler overholdes i alle vores ydelser og i mødet med "
                    "borgerne.",
                ),
            ],
            LM: [
                (
                    "Medvirker til engagerede teams",
                    "Jeg er med til at skabe engagement i teamet og en arbejdskultur, der "
                    "bærer gode resultater.",
                ),
                (
                    "Følger op på kvalitet og regler",
                    "Jeg tager del i ansvaret for den faglige kvalitet og tjekker, at reglerne "
                    "overholdes i praksis.",
                ),
                (
                    "Deler ny faglig viden og lovgivning",
                    "Jeg formidler ny faglig viden, så alle i enheden kender den gældende "
                    "lovgivning.",
                ),
            ],
            M: [
                (
                    "Bidrager til sikker drift gennem samarbejde",
                    "Jeg engagerer mig i mit team og er med til at holde driften sikker "
                    "gennem godt samarbejde.",
                ),
                (
                    "Balancerer faglige standarder og borgerens ønsker",
                    "Jeg finder balancen mellem mit fagområdes mål og standarder og det, "
                    "borgeren har brug for og ønsker sig.",
                ),
                (
                    "Holder mig opdateret på regler",
                    "Jeg holder mig ajour med lovgivning og regler på mit område og giver ny "
                    "viden videre til kolleger.",
                ),
            ],
        },
    ),
    (
        "Sammen styrker vi resultaterne",
        "Performance: tydelige mål, opfølgning på effekten og mod til at lære af fejl og "
        "finde smartere måder at løse opgaverne på.",
        {
            D: [
                (
                    "Omsætter visioner til klare mål",
                    "Direktionen gør visioner og strategier til tydelige mål for kommunen og "
                    "dens centre.",
                ),
                (
                    "Nytænker kommunens strukturer og processer",
                    "Vi udfordrer og forbedrer løbende de overordnede strukturer og "
                    "arbejdsgange i kommunen.",
                ),
                (
                    "Understøtter en systematisk evalueringskultur",
                    "Vi fremmer en kultur, hvor vi systematisk måler den effekt, vores indsats "
                    "har for borgerne.",
                ),
            ],
            C: [
                (
                    "Sætter mål og strategi for centeret",
                    "Jeg fastlægger centerets mål og strategier med udgangspunkt i kommunens "
                    "visioner.",
                ),
                (
                    "Henter inspiration udefra til nytænkning",
                    "Jeg ser ud over egne grænser for at finde nye og bedre måder at levere "
                    "centerets ydelser på.",
                ),
                (
                    "Omsætter strategier til handleplaner",
                    "Jeg går forrest, når kommunens strategier skal blive til konkrete mål og "
                    "handleplaner på fagområdet.",
                ),
            ],
            LL: [
                (
                    "Bidrager fagligt til centerets strategier",
                    "Jeg giver centerets strategier faglige input og erfaringer fra de "
                    "kerneydelser, jeg har ansvar for.",
                ),
                (
                    "Omsætter strategier til planer i ledergruppen",
                    "Jeg gør centerets strategier til konkrete planer og handlinger på min "
                    "arbejdsplads og i min ledergruppe.",
                ),
                (
                    "Åbenhed om fejl og læring",
                    "Jeg leder efter måder at forbedre ydelser og processer på og gør det "
                    "trygt at tale om fejl, så vi lærer af dem.",
                ),
            ],
            LM: [
                (
                    "Skaber rammer for medarbejdernes rolle",
                    "Jeg giver medarbejderne rum og struktur til at udfylde deres rolle og "
                    "gør strategier til handlinger tæt på kerneopgaven.",
                ),
                (
                    "Afstemmer forventninger, opgaver og ressourcer",
                    "Jeg gør opgaver og mål tydelige sammen med medarbejderne og sørger for, "
                    "at opgaver og ressourcer hænger sammen.",
                ),
                (
                    "Udfordrer praksis og afprøver nye metoder",
                    "Sammen med medarbejderne sætter jeg spørgsmålstegn ved vante processer "
                    "og giver plads til at prøve nye metoder.",
                ),
            ],
            M: [
                (
                    "Udfordrer vanetænkning i arbejdsgangene",
                    "Jeg justerer rutiner og stiller spørgsmål ved »sådan plejer vi at "
                    "gøre«, når ydelser og arbejdsgange udvikles.",
                ),
                (
                    "Afstemmer forventninger med min leder",
                    "Jeg sørger sammen med min leder for, at jeg kender mine opgaver og mål "
                    "og ved, hvad der forventes af mig.",
                ),
                (
                    "Giver feedback om mål",
                    "Jeg giver min leder tilbagemeldinger og tager selv initiativ til at "
                    "drøfte mål, der har mistet deres mening.",
                ),
            ],
        },
    ),
    (
        "Sammen skaber vi velfærd",
        "Emergens: velfærd skabes i samarbejde på tværs og sammen med borgere, "
        "lokalsamfund og virksomheder.",
        {
            D: [
                (
                    "Bygger bro mellem politik og organisation",
                    "Direktionen sikrer, at det politiske niveau og organisationen hænger "
                    "sammen og arbejder mod fælles mål.",
                ),
                (
                    "Rådgiver politikerne om udvikling og drift",
                    "Vi inspirerer og rådgiver politikerne og samarbejder med dem om "
                    "rammerne for kommunens udvikling og drift.",
                ),
                (
                    "Sætter rammer for borgerinddragelse",
                    "Vi skaber rammerne for, at borgere og lokalsamfund inddrages i kommunens "
                    "processer og beslutninger.",
                ),
            ],
            C: [
                (
                    "Sikrer sammenhæng på tværs af centre",
                    "Jeg følger op på, at kommunens ydelser hænger sammen på tværs af "
                    "centrene, og at centrene samarbejder tæt.",
                ),
                (
                    "Rådgiver de politiske udvalg",
                    "Jeg arbejder sammen med de politiske udvalg og rådgiver dem om rammerne "
                    "for fagområdets udvikling og drift.",
                ),
                (
                    "Involverer borgere og samfund i centerets opgaver",
                    "Jeg har et bredt udsyn og skaber plads til, at borgere og samfund tager "
                    "del i centerets ydelser.",
                ),
            ],
            LL: [
                (
                    "Skaber sammenhæng på tværs af fagansvar",
                    "Jeg sørger for, at ydelser og opgaveløsning hænger sammen på tværs af de "
                    "områder, jeg har ansvar for.",
                ),
                (
                    "Fremmer videndeling mellem faggrupper og centre",
                    "Jeg styrker videndeling på tværs af faggrupper og centre, så tværgående "
                    "projekter får kvalitet og nye ideer.",
                ),
                (
                    "Åbner for samarbejde med borgere og samfund",
                    "Jeg finder og skaber muligheder for, at borgere og lokalsamfund kan være "
                    "med til at skabe løsninger.",
                ),
            ],
            LM: [
                (
                    "Sammenhæng i ydelser på tværs",
                    "Jeg sørger for, at ydelserne hænger sammen på tværs af mit fagansvar.",
                ),
                (
                    "Rammer for tværfagligt samarbejde",
                    "Jeg sætter rammen for, at forskellige fagligheder arbejder sammen om en "
                    "helhedsorienteret løsning for borgeren.",
                ),
                (
                    "Udvikler løsninger sammen med borgerne",
                    "Jeg inddrager borgerne og samarbejder med dem om nye løsninger og "
                    "velfærdsydelser.",
                ),
            ],
            M: [
                (
                    "Tænker på tværs for borgerens skyld",
                    "Når jeg løser en opgave, tænker jeg ud over mit eget fagområde, så "
                    "borgeren oplever sammenhæng.",
                ),
                (
                    "Deler viden på tværs af faggrupper",
                    "Jeg deler min viden med andre faggrupper og centre og bidrager dermed "
                    "til kvalitet og nye ideer i fælles løsninger.",
                ),
                (
                    "Inddrager borgere og lokalsamfund",
                    "Jeg bringer borgernes, lokalsamfundets og virksomhedernes ressourcer i "
                    "spil, når vi skaber løsninger på mit område.",
                ),
            ],
        },
    ),
    (
        "Sammen udvikler vi en robust organisation",
        "Resiliens: tillid, delt ansvar og løbende læring gør os i stand til at møde "
        "forandringer som muligheder.",
        {
            D: [
                (
                    "Ansvar for trivsel og samarbejde i ledelsen",
                    "Direktionen tager ansvar for trivsel, åbenhed og samarbejde i "
                    "direktionen og med chefforum og bakker op om tværgående projekter.",
                ),
                (
                    "Sætter retning for strategisk kompetenceudvikling",
                    "Vi udpeger, hvilke kompetencer kommunen har brug for, og sætter "
                    "rammerne for at udvikle dem.",
                ),
                (
                    "Fleksibel organisering og forandring",
                    "Vi går forrest i strategiske forandringer og organiserer os fleksibelt, "
                    "så vi løbende kan tilpasse os.",
                ),
            ],
            C: [
                (
                    "Tillidsfuldt arbejdsmiljø og stærkt lederteam",
                    "Jeg skaber tillid i arbejdsmiljøet og et engageret og effektivt lederteam.",
                ),
                (
                    "Understøtter tværgående projektarbejde",
                    "Jeg påtager mig ansvaret for og bakker op om projekter, der går på tværs.",
                ),
                (
                    "Fleksible ressourcer og kompetenceudvikling",
                    "Jeg organiserer centerets ressourcer fleksibelt og arbejder hele tiden "
                    "med at udvikle kompetencerne i centeret.",
                ),
            ],
            LL: [
                (
                    "Motiverende arbejdsmiljø og effektivt lederteam",
                    "Jeg arbejder aktivt for et effektivt lederteam og et arbejdsmiljø præget "
                    "af tillid, trivsel og arbejdsglæde.",
                ),
                (
                    "Identificerer kompetencebehov i dialog",
                    "Sammen med mine ledere og medarbejdere finder jeg ud af, hvilke "
                    "kompetencer vi mangler, og sørger for at udvikle dem.",
                ),
                (
                    "Fleksibel brug af ressourcer og kompetencer",
                    "Jeg organiserer arbejdet, så ressourcer og kompetencer kan bruges der, "
                    "hvor behovet er.",
                ),
            ],
            LM: [
                (
                    "Inddrager medarbejderne og skaber trivsel",
                    "Jeg inddrager mine medarbejdere og skaber rammerne for et trygt "
                    "arbejdsmiljø, hvor alle trives.",
                ),
                (
                    "Udvikler medarbejdernes kompetencer systematisk",
                    "Jeg arbejder målrettet med at udvikle mine medarbejdere og handler, når "
                    "enheden får brug for nye kompetencer.",
                ),
                (
                    "Organiserer enheden fleksibelt",
                    "Jeg lader opgaven bestemme holdet, så medarbejderne kan melde sig der, "
                    "hvor de bedst kan bidrage.",
                ),
            ],
            M: [
                (
                    "Bidrager med ideer og medansvar for trivsel",
                    "Jeg kommer med forslag til, hvordan opgaverne kan løses godt, og tager "
                    "medansvar for kollegernes trivsel.",
                ),
                (
                    "Deltager aktivt i kompetenceudvikling",
                    "Jeg engagerer mig i mit fag og tager del i den kompetenceudvikling, der "
                    "tilbydes.",
                ),
                (
                    "Forankrer forandringer i praksis",
                    "Jeg er med til at gøre forandringer i vores praksis holdbare, så de også "
                    "virker på længere sigt.",
                ),
            ],
        },
    ),
]

HVIDOVRE_GROUPS = [
    GroupText(
        name,
        description,
        [
            (CompetenceText(title, sentence, kind=GENERAL if role == M else LEADER), [str(role)])
            for role in Role
            for title, sentence in behaviours[role]
        ],
    )
    for name, description, behaviours in PERSPECTIVES
]

# --- Job and unit profiles ----------------------------------------------------------


@dataclass(frozen=True)
class JobProfileSpec:
    name: str
    description: str
    # Positions with one of these job titles get the profile...
    titles: frozenset[str]
    # ...if they lead (or do not lead) their unit...
    leader: bool
    # ...and sit under a unit of this name (None: anywhere).
    within: str | None
    levels: dict[str, int]


def _hv(role: Role, *levels: tuple[int, int, int]) -> dict[str, int]:
    """Hvidovre levels for one role's rows, three per perspective in framework order."""
    result = {}
    for (_name, _description, behaviours), row_levels in zip(PERSPECTIVES, levels, strict=True):
        for (title, _sentence), level in zip(behaviours[role], row_levels, strict=True):
            result[title] = level
    return result


SOCIAL_TITLES = frozenset({"Socialrådgiver", "Myndighedsrådgiver", "Sagsbehandler"})
LEADER_TITLES = frozenset({"Teamleder", "Afdelingsleder"})

FREDERICIA_PROFILES = [
    JobProfileSpec(
        "Myndighedsrådgiver, voksenområdet",
        "Træffer afgørelser efter serviceloven for voksne borgere med handicap eller "
        "sociale problemer.",
        SOCIAL_TITLES,
        False,
        "Social og Sundhed",
        {
            "Forandringskompetence": 3,
            "Lærings- og videndelingskompetence": 3,
            "Samarbejdskompetence": 4,
            "Selvledelseskompetence": 3,
            "Kommunikationskompetence": 4,
            "Faglig kompetence": 4,
            "Servicekompetence": 3,
            "Resultatskabende kompetence": 3,
        },
    ),
    JobProfileSpec(
        "Social- og sundhedsassistent",
        "Pleje, omsorg og sygepleje for borgere i eget hjem og på plejecenter.",
        frozenset({"Social- og sundhedsassistent"}),
        False,
        None,
        {
            "Forandringskompetence": 3,
            "Innovationskompetence": 2,
            "Lærings- og videndelingskompetence": 3,
            "Samarbejdskompetence": 4,
            "Selvledelseskompetence": 3,
            "Kommunikationskompetence": 3,
            "Faglig kompetence": 4,
            "Servicekompetence": 3,
        },
    ),
    JobProfileSpec(
        "Pædagog",
        "Pædagogisk arbejde med børns trivsel, læring og udvikling.",
        frozenset({"Pædagog"}),
        False,
        None,
        {
            "Forandringskompetence": 3,
            "Innovationskompetence": 3,
            "Lærings- og videndelingskompetence": 3,
            "Samarbejdskompetence": 3,
            "Kommunikationskompetence": 3,
            "Faglig kompetence": 4,
            "Servicekompetence": 2,
        },
    ),
    JobProfileSpec(
        "Administrativ medarbejder",
        "Sagsbehandling, økonomi og administrativ service for borgere og kolleger.",
        frozenset({"Administrativ medarbejder", "Skolesekretær"}),
        False,
        None,
        {
            "Forandringskompetence": 3,
            "Lærings- og videndelingskompetence": 2,
            "Samarbejdskompetence": 3,
            "Selvledelseskompetence": 3,
            "Kommunikationskompetence": 3,
            "Faglig kompetence": 3,
            "Servicekompetence": 4,
            "Resultatskabende kompetence": 3,
        },
    ),
    JobProfileSpec(
        "Teamleder",
        "Daglig ledelse af et team eller en afdeling med personaleansvar.",
        LEADER_TITLES,
        True,
        None,
        {
            "Forandringskompetence": 4,
            "Samarbejdskompetence": 4,
            "Kommunikationskompetence": 4,
            "Faglig kompetence": 3,
            "Resultatskabende kompetence": 3,
            "Forandringsledelse": 3,
            "Strategisk ledelse": 2,
            "Nytænkning og udvikling": 3,
            "Samarbejde på tværs": 3,
            "Værdibaseret ledelse": 3,
            "Kommunikation": 4,
            "Personlig ledelseskraft": 3,
            "Organisatorisk forståelse": 3,
            "Kunde- og brugerfokus": 3,
            "Resultatorientering": 3,
        },
    ),
]

HVIDOVRE_PROFILES = [
    JobProfileSpec(
        "Myndighedsrådgiver, børn og familie",
        "Sagsbehandling og afgørelser for udsatte børn, unge og familier.",
        SOCIAL_TITLES,
        False,
        "Center for Børn og Familie",
        _hv(M, (4, 4, 4), (3, 3, 3), (3, 3, 3), (3, 3, 2)),
    ),
    JobProfileSpec(
        "Social- og sundhedsassistent",
        "Pleje, omsorg og sygepleje for borgere i eget hjem og på plejecenter.",
        frozenset({"Social- og sundhedsassistent"}),
        False,
        None,
        _hv(M, (4, 3, 3), (2, 3, 2), (3, 2, 3), (3, 3, 3)),
    ),
    JobProfileSpec(
        "Pædagog",
        "Pædagogisk arbejde med børns trivsel, læring og udvikling.",
        frozenset({"Pædagog"}),
        False,
        None,
        _hv(M, (3, 3, 3), (3, 3, 2), (3, 3, 4), (3, 3, 3)),
    ),
    JobProfileSpec(
        "Administrativ medarbejder",
        "Sagsbehandling, økonomi og administrativ service for borgere og kolleger.",
        frozenset({"Administrativ medarbejder"}),
        False,
        None,
        _hv(M, (3, 3, 4), (3, 3, 2), (2, 3, 2), (3, 3, 3)),
    ),
    JobProfileSpec(
        "Teamleder",
        "Daglig ledelse af et team eller en afdeling med personaleansvar.",
        LEADER_TITLES,
        True,
        None,
        _hv(LM, (3, 3, 3), (4, 3, 3), (3, 3, 2), (4, 3, 3))
        | _hv(LL, (4, 3, 3), (3, 3, 3), (3, 3, 2), (4, 3, 3)),
    ),
]

# Unit profiles: {unit name: {competence name: desired level}}, inherited downwards.
FREDERICIA_UNIT_PROFILES = {
    "Direktionen": {"Forandringskompetence": 3, "Samarbejdskompetence": 3},
    "Social og Sundhed": {"Forandringskompetence": 4, "Servicekompetence": 3},
    "Kirstinebjergskolen": {"Lærings- og videndelingskompetence": 4, "Innovationskompetence": 3},
}
HVIDOVRE_UNIT_PROFILES = {
    # The foundation applies to everyone: competent in every row unless a profile says more.
    "Direktionen": {c.name: 3 for group in HVIDOVRE_GROUPS for c, _roles in group.competences},
    "Center for Sundhed og Omsorg": {"Holder mig opdateret på regler": 4},
    "Jobcentret": {"Tænker på tværs for borgerens skyld": 4},
}

# --- Answers --------------------------------------------------------------------------

SELF_COMMENTS = [
    "Det her vil jeg gerne blive bedre til i det kommende år.",
    "Jeg har fået nye opgaver på området og er stadig ved at lære.",
    "Det er en af mine styrker; jeg hjælper ofte nye kolleger.",
    "Svært at vurdere; jeg vil gerne tale om det til MUS.",
    "Jeg mangler et kursus eller sidemandsoplæring her.",
]
LEADER_COMMENTS = [
    "Du gør det godt her, og kollegerne søger ofte din hjælp.",
    "Et oplagt udviklingsområde; lad os aftale en aktivitet til MUS.",
    "Jeg ser dig længere fremme, end du selv vurderer.",
    "Vi ser forskelligt på det; lad os tage det op til MUS.",
]
# Weighted steps away from the required level (self) and from self (leader).
SELF_STEPS = [-2] * 1 + [-1] * 4 + [0] * 10 + [1] * 5
LEADER_STEPS = [-2] * 1 + [-1] * 4 + [0] * 9 + [1] * 5 + [2] * 1


def seed(org: DemoOrg) -> None:
    kommune = org.kommune
    scale = RatingScale.objects.filter(kommune=kommune, name=SCALE_NAME).first()
    if scale is None:
        scale = services.scale_create_default(kommune=kommune, name=SCALE_NAME)
    if kommune.slug == "fredericia":
        name, description, groups = FREDERICIA_FRAMEWORK, FREDERICIA_DESCRIPTION, FREDERICIA_GROUPS
        profiles, unit_profiles = FREDERICIA_PROFILES, FREDERICIA_UNIT_PROFILES
    elif kommune.slug == "hvidovre":
        name, description, groups = HVIDOVRE_FRAMEWORK, HVIDOVRE_DESCRIPTION, HVIDOVRE_GROUPS
        profiles, unit_profiles = HVIDOVRE_PROFILES, HVIDOVRE_UNIT_PROFILES
    else:
        return
    hr = org.logins["hr"]
    version = _framework(org, name, description, groups, scale, hr)
    keys = {c.name: c.key for c in Competence.objects.filter(version=version)}
    for spec in profiles:
        _job_profile(org, version.framework, spec, keys)
    _unit_profiles(org, version.framework, unit_profiles, keys)
    _round(org, version, hr)


def _framework(org, name, description, groups, scale, hr: Person) -> FrameworkVersion:
    framework = Framework.objects.filter(kommune=org.kommune, name=name).first()
    if framework is not None:
        version = selectors.current_version(framework)
        if version is not None:
            return version
        version = framework.versions.get(status=FrameworkVersion.Status.DRAFT)
    else:
        version = services.framework_create(
            kommune=org.kommune, name=name, scale=scale, description=description
        )
        for group_text in groups:
            group = services.group_create(
                version=version, name=group_text.name, description=group_text.description
            )
            for text, roles in group_text.competences:
                services.competence_create(
                    group=group,
                    name=text.name,
                    short_description=text.short_description,
                    what=text.what,
                    why=text.why,
                    how=text.how,
                    kind=text.kind,
                    roles=roles,
                )
    return services.version_publish(version=version, by=hr)


def _job_profile(org: DemoOrg, framework: Framework, spec: JobProfileSpec, keys) -> None:
    if JobProfile.objects.filter(kommune=org.kommune, name=spec.name).exists():
        return
    profile = services.job_profile_create(
        kommune=org.kommune, framework=framework, name=spec.name, description=spec.description
    )
    services.job_requirements_set(
        job_profile=profile, levels={keys[name]: level for name, level in spec.levels.items()}
    )
    positions = Position.objects.active().filter(
        kommune=org.kommune, job_title__in=spec.titles, is_leader=spec.leader
    )
    if spec.within is not None:
        unit = OrgUnit.objects.get(kommune=org.kommune, name=spec.within)
        positions = positions.filter(unit__path__startswith=unit.path)
    for position in positions.order_by("pk"):
        services.job_profile_assign(position=position, job_profile=profile)


def _unit_profiles(org: DemoOrg, framework: Framework, unit_profiles: dict, keys) -> None:
    for unit_name, levels in unit_profiles.items():
        unit = next(u for u in org.units if u.name == unit_name)
        if UnitProfileLevel.objects.filter(unit=unit, framework=framework).exists():
            continue
        services.unit_profile_set(
            unit=unit,
            framework=framework,
            levels={keys[name]: level for name, level in levels.items()},
        )


def _round_name(today: datetime.date) -> str:
    # The round feeds the MUS conversations of the årshjul's January-March phase, so a round
    # opened in the autumn is named after the coming year.
    return f"Kompetenceafklaring {today.year + 1 if today.month >= 10 else today.year}"


def _round(org: DemoOrg, version: FrameworkVersion, hr: Person) -> None:
    today = timezone.localdate()
    name = _round_name(today)
    if EvaluationRound.objects.filter(kommune=org.kommune, name=name).exists():
        return
    round_ = services.round_open(
        kommune=org.kommune,
        name=name,
        version=version,
        unit=org.root,
        deadline=today + datetime.timedelta(weeks=5),
        opened_by=hr,
    )
    # One call for everything: with submit=True every complete evaluation is submitted
    # and every partial one stays open, and the assessment rows are brought up to date
    # in a single pass (each call rewrites all rows of the people it touches).
    services.ratings_bulk_set(round_=round_, answers=_answers(org, round_), submit=True)


def _answers(org: DemoOrg, round_: EvaluationRound) -> list[tuple]:
    """Who has answered what, drawn from a fixed seed: most people have a complete
    self-evaluation, many also a leader evaluation, some have only begun; the
    "medarbejder" login has answered three rows, and the "leder" login's team is almost
    fully rated."""
    rng = random.Random(f"profiles-demo-{org.kommune.slug}")
    structure = selectors.version_structure(round_.version)
    required = {
        (a["person_id"], a["competence_id"]): a["required"]
        for a in Assessment.objects.filter(round=round_).values(
            "person_id", "competence_id", "required"
        )
    }
    evaluations: dict[int, dict[str, Evaluation]] = {}
    for evaluation in Evaluation.objects.filter(round=round_).order_by(
        "subject__employee_number", "kind"
    ):
        evaluations.setdefault(evaluation.subject_id, {})[evaluation.kind] = evaluation

    employee = org.logins["medarbejder"]
    leader = org.logins["leder"]
    team_unit = Position.objects.active().filter(person=leader, is_leader=True).first().unit
    team = list(
        Position.objects.active()
        .filter(unit=team_unit, is_leader=False)
        .exclude(person=employee)
        .order_by("person__employee_number")
        .values_list("person_id", flat=True)
    )
    # Leave a few of the leader's people unrated, so the leader has ratings to give.
    team_rated = set(team[:-3])
    top = Position.objects.active().filter(unit=org.root, is_leader=True).first().person_id

    answers = []
    for person_id, pair in evaluations.items():
        self_ev, leader_ev = pair[Evaluation.Kind.SELF], pair[Evaluation.Kind.LEADER]
        rows = [c for c in structure.competences if c.applies_to(self_ev.role)]
        draw = rng.random()
        rate = rng.random() < 0.7
        if person_id == employee.pk:
            self_rows, rate = rows[:3], False
        elif person_id in team:
            self_rows, rate = rows, person_id in team_rated
        elif draw < 0.85:
            self_rows = rows
        elif draw < 0.93:
            self_rows = rows[: rng.randrange(1, len(rows))]
            rate = False
        else:
            self_rows, rate = [], False
        rate = rate and person_id != top  # the kommunaldirektør has no leader above

        self_levels = {}
        for competence in self_rows:
            wanted = required.get((person_id, competence.pk)) or 3
            # Now and then a row is "ikke relevant for mig" (0).
            level = 0 if rng.random() < 0.03 else min(5, max(1, wanted + rng.choice(SELF_STEPS)))
            comment = rng.choice(SELF_COMMENTS) if rng.random() < 0.08 else ""
            self_levels[competence.pk] = level
            answers.append((self_ev, competence, level, comment))
        if not rate:
            continue
        for competence in rows:
            own = self_levels[competence.pk]
            if own == 0:
                level = 0 if rng.random() < 0.5 else required.get((person_id, competence.pk)) or 3
            else:
                level = min(5, max(1, own + rng.choice(LEADER_STEPS)))
            apart = own != 0 and abs(level - own) >= 2
            comment = rng.choice(LEADER_COMMENTS) if apart or rng.random() < 0.05 else ""
            answers.append((leader_ev, competence, level, comment))
    return answers
