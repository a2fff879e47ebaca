//! Adds what a field type needs to the generated project's `Cargo.toml`, by
//! plain text insertion under `[dependencies]` (comments and layout survive).

use crate::resource::dialect::Needs;

/// `text` with every need met; a need that is already met changes nothing.
pub fn add_needs(text: &str, needs: &[Needs]) -> Result<String, String> {
    needs
        .iter()
        .try_fold(text.to_owned(), |text, need| match *need {
            Needs::Crate(name, line) => add_crate(&text, name, line),
            Needs::SqlxFeature(feature) => add_sqlx_feature(&text, feature),
        })
}

/// The line range of the `[dependencies]` table's body.
fn dependencies(lines: &[&str]) -> Result<(usize, usize), String> {
    let header = lines
        .iter()
        .position(|l| l.trim() == "[dependencies]")
        .ok_or("it has no [dependencies] table")?;
    let end = lines[header + 1..]
        .iter()
        .position(|l| l.trim_start().starts_with('['))
        .map_or(lines.len(), |i| header + 1 + i);
    Ok((header + 1, end))
}

fn key(line: &str) -> Option<&str> {
    let (key, _) = line.split_once('=')?;
    let key = key.trim();
    (!key.is_empty() && !key.starts_with('#')).then_some(key)
}

fn add_crate(text: &str, name: &str, line: &str) -> Result<String, String> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let (start, end) = dependencies(&lines)?;
    let keys: Vec<(usize, &str)> = (start..end)
        .filter_map(|i| key(lines[i]).map(|k| (i, k)))
        .collect();
    if keys.iter().any(|(_, k)| *k == name) {
        return Ok(text.to_owned());
    }
    let at = keys
        .iter()
        .find(|(_, k)| *k > name)
        .map(|(i, _)| *i)
        .or_else(|| keys.last().map(|(i, _)| i + 1))
        .unwrap_or(start);
    let mut out: String = lines[..at].concat();
    out.push_str(line);
    out.push('\n');
    out.push_str(&lines[at..].concat());
    Ok(out)
}

fn add_sqlx_feature(text: &str, feature: &str) -> Result<String, String> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let (start, end) = dependencies(&lines)?;
    let at = (start..end)
        .find(|&i| key(lines[i]) == Some("sqlx"))
        .ok_or("its [dependencies] have no single-line `sqlx = …` entry")?;
    let line = lines[at];
    if line.contains(&format!("\"{feature}\"")) {
        return Ok(text.to_owned());
    }
    let list_start = line
        .find("features = [")
        .ok_or("its sqlx entry has no `features = [...]` list")?;
    let close = list_start
        + line[list_start..]
            .find(']')
            .ok_or("its sqlx entry's features list is not on one line")?;
    let edited = format!("{}, \"{feature}\"{}", &line[..close], &line[close..]);
    Ok([
        &lines[..at].concat(),
        edited.as_str(),
        &lines[at + 1..].concat(),
    ]
    .concat())
}

#[cfg(test)]
mod tests {
    use super::*;

    const CARGO: &str = "[package]\nname = \"x\"\n\n[dependencies]\nanyhow = \"1\"\nsqlx = { version = \"0.9\", features = [\"sqlite\"] }\ntokio = \"1\"\n\n[dev-dependencies]\ntempfile = \"3\"\n";

    #[test]
    fn a_crate_is_added_in_order_once() {
        let need = Needs::Crate("rust_decimal", "rust_decimal = \"1\"");
        let out = add_needs(CARGO, &[need]).unwrap();
        assert!(
            out.contains("anyhow = \"1\"\nrust_decimal = \"1\"\nsqlx"),
            "{out}"
        );
        assert_eq!(add_needs(&out, &[need]).unwrap(), out);
    }

    #[test]
    fn a_sqlx_feature_is_appended_once() {
        let need = Needs::SqlxFeature("json");
        let out = add_needs(CARGO, &[need]).unwrap();
        assert!(out.contains("features = [\"sqlite\", \"json\"] }"), "{out}");
        assert_eq!(add_needs(&out, &[need]).unwrap(), out);
    }

    #[test]
    fn a_manifest_without_dependencies_is_reported() {
        let err = add_needs("[package]\n", &[Needs::SqlxFeature("json")]).unwrap_err();
        assert!(err.contains("[dependencies]"));
    }
}
