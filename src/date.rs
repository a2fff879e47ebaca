//! Calendar dates in UTC, as far as apigen needs them: today, a day count
//! later, and `YYYY-MM-DD` read and written. Howard Hinnant's algorithms
//! (<https://howardhinnant.github.io/date_algorithms.html>) instead of a date
//! crate: two small pure functions, exact over the proleptic Gregorian
//! calendar, and apigen needs nothing else (no time zones, no formatting).

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

/// A day of the Gregorian calendar.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub year: i64,
    pub month: u32,
    pub day: u32,
}

impl Date {
    /// The UTC date at `time` (the epoch for a time before it).
    pub fn utc(time: SystemTime) -> Self {
        let secs = time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        Self::from_days((secs / 86_400) as i64)
    }

    /// Today, in UTC.
    pub fn today() -> Self {
        Self::utc(SystemTime::now())
    }

    /// The date `days` days after 1970-01-01.
    pub fn from_days(days: i64) -> Self {
        let (year, month, day) = civil_from_days(days);
        Self { year, month, day }
    }

    /// Days since 1970-01-01 (negative before).
    pub fn days(self) -> i64 {
        days_from_civil(self.year, self.month, self.day)
    }

    /// The date `days` days later.
    pub fn plus_days(self, days: i64) -> Self {
        Self::from_days(self.days() + days)
    }

    /// Reads `YYYY-MM-DD` (exactly: four, two and two digits), a real day.
    pub fn parse(text: &str) -> Result<Self, String> {
        let shape = "expected a date YYYY-MM-DD, e.g. 2027-01-31";
        let bytes = text.as_bytes();
        let digits = |range: std::ops::Range<usize>| bytes[range].iter().all(u8::is_ascii_digit);
        if bytes.len() != 10
            || bytes[4] != b'-'
            || bytes[7] != b'-'
            || !digits(0..4)
            || !digits(5..7)
            || !digits(8..10)
        {
            return Err(shape.to_owned());
        }
        let number = |range: std::ops::Range<usize>| text[range].parse::<u32>().unwrap_or(0);
        let (year, month, day) = (number(0..4), number(5..7), number(8..10));
        if !(1..=12).contains(&month) {
            return Err(format!("{text} has no month {month}"));
        }
        let last = days_in_month(i64::from(year), month);
        if !(1..=last).contains(&day) {
            return Err(format!(
                "{text} is not a day: {year:04}-{month:02} has {last} days"
            ));
        }
        Ok(Self {
            year: i64::from(year),
            month,
            day,
        })
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Howard Hinnant's `civil_from_days`: days since 1970-01-01 to a date.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Howard Hinnant's `days_from_civil`: a date to days since 1970-01-01.
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year.rem_euclid(400);
    let month = i64::from(month);
    let mp = if month > 2 { month - 3 } else { month + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn date(text: &str) -> Date {
        Date::parse(text).unwrap()
    }

    #[test]
    fn days_and_dates_round_trip() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(days_from_civil(1969, 12, 31), -1);
        for days in (-800_000..800_000).step_by(997) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days, "{y}-{m}-{d}");
        }
    }

    #[test]
    fn leap_years_follow_the_gregorian_rules() {
        assert_eq!(date("2024-02-28").plus_days(1), date("2024-02-29"));
        assert_eq!(date("2024-02-29").plus_days(1), date("2024-03-01"));
        assert_eq!(date("2026-02-28").plus_days(1), date("2026-03-01"));
        assert_eq!(date("1900-02-28").plus_days(1), date("1900-03-01"));
        assert_eq!(date("2000-02-28").plus_days(1), date("2000-02-29"));
        assert!(Date::parse("2026-02-29").is_err());
        assert!(Date::parse("2100-02-29").is_err());
        assert!(Date::parse("2400-02-29").is_ok());
    }

    #[test]
    fn a_sunset_180_days_on_crosses_months_and_years() {
        assert_eq!(date("2026-01-01").plus_days(180), date("2026-06-30"));
        assert_eq!(date("2027-09-01").plus_days(180), date("2028-02-28"));
        assert_eq!(date("2027-09-02").plus_days(180), date("2028-02-29"));
        assert_eq!(date("2026-12-31").plus_days(1), date("2027-01-01"));
    }

    #[test]
    fn today_is_the_utc_date() {
        assert_eq!(Date::utc(UNIX_EPOCH).to_string(), "1970-01-01");
        let t = UNIX_EPOCH + Duration::from_secs(1_772_362_923);
        assert_eq!(Date::utc(t).to_string(), "2026-03-01");
        let midnight = UNIX_EPOCH + Duration::from_secs(86_400 * 20_000 - 1);
        assert_eq!(Date::utc(midnight).plus_days(1).days(), 20_000);
    }

    #[test]
    fn only_real_days_in_the_iso_form_are_read() {
        assert_eq!(date("2027-01-31").to_string(), "2027-01-31");
        for (text, message) in [
            ("2027-1-31", "expected a date YYYY-MM-DD"),
            ("31.01.2027", "expected a date YYYY-MM-DD"),
            ("2027-01-31T00:00", "expected a date YYYY-MM-DD"),
            ("+027-01-31", "expected a date YYYY-MM-DD"),
            ("2027-13-01", "2027-13-01 has no month 13"),
            ("2027-00-10", "has no month 0"),
            ("2027-04-31", "2027-04 has 30 days"),
            ("2027-01-00", "is not a day"),
        ] {
            let err = Date::parse(text).unwrap_err();
            assert!(err.contains(message), "{text}: {err}");
        }
    }
}
