# "2. december 2026", "2. december 2026 10:00", "2. december".
DATE_FORMAT = "j. F Y"
DATETIME_FORMAT = "j. F Y H:i"
MONTH_DAY_FORMAT = "j. F"
TIME_FORMAT = "H:i"
