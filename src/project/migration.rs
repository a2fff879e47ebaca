//! Migration file names: `migrations/<YYYYMMDDHHMMSS>_<what>.sql`, as sqlx
//! orders them; every command that adds one names it here.

use std::fs;
use std::path::Path;

use crate::error::{Error, Result};

/// The folder of a generated project's migrations.
pub const DIR: &str = "migrations";

/// `now`, or one second after the newest existing migration if that is not
/// earlier, so that migrations stay ordered and never share a version.
pub fn next_migration_version(migrations: &Path, now: &str) -> Result<String> {
    let now: u64 = now.parse().expect("a YYYYMMDDHHMMSS timestamp");
    let entries = match fs::read_dir(migrations) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(now.to_string()),
        Err(e) => return Err(Error::io(migrations)(e)),
    };
    let newest = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.split('_').next()?.parse::<u64>().ok()
        })
        .max();
    Ok(match newest {
        Some(newest) if newest >= now => (newest + 1).to_string(),
        _ => now.to_string(),
    })
}

/// The current UTC time as `YYYYMMDDHHMMSS`, as sqlx migration names use it.
pub fn utc_timestamp(time: std::time::SystemTime) -> String {
    let secs = time
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (year, month, day) = crate::date::civil_from_days(days as i64);
    format!(
        "{year:04}{month:02}{day:02}{:02}{:02}{:02}",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn timestamps_are_utc_calendar_times() {
        assert_eq!(utc_timestamp(UNIX_EPOCH), "19700101000000");
        let t = UNIX_EPOCH + Duration::from_secs(1_772_362_923);
        assert_eq!(utc_timestamp(t), "20260301110203");
    }

    #[test]
    fn a_migration_version_follows_the_newest() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("20260101000002_x.sql"), "").unwrap();
        assert_eq!(
            next_migration_version(dir.path(), "20251231000000").unwrap(),
            "20260101000003"
        );
        assert_eq!(
            next_migration_version(dir.path(), "20270101000000").unwrap(),
            "20270101000000"
        );
    }
}
