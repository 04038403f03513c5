# "2 December 2026", "2 December 2026 10:00", "2 December" (British order, 24-hour clock).
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y H:i"
MONTH_DAY_FORMAT = "j F"
TIME_FORMAT = "H:i"
