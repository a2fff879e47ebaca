//! Edits of existing files at marker comments (`// apigen:routes`), computed
//! as text in memory. Everything else in the file is left exactly as it is.

use serde::Deserialize;

/// Where a snippet goes relative to its anchor line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Placement {
    /// On the line just before the anchor (the end of a list).
    #[default]
    Before,
    /// In alphabetical order among the lines just above the anchor, as
    /// rustfmt sorts `mod` declarations.
    Sorted,
}

#[derive(Debug, PartialEq, Eq)]
pub enum InjectError {
    /// The anchor line is not in the file (the user edited it away).
    AnchorMissing,
    /// The snippet is already there: the resource was added before.
    AlreadyPresent,
}

/// Inserts `snippet` (one or more lines, without indentation) at `anchor`,
/// indented like the anchor line.
pub fn inject(
    text: &str,
    anchor: &str,
    snippet: &str,
    placement: Placement,
) -> Result<String, InjectError> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let anchor_at = lines
        .iter()
        .position(|line| line.trim() == anchor)
        .ok_or(InjectError::AnchorMissing)?;
    let snippet_lines: Vec<&str> = snippet.lines().filter(|l| !l.trim().is_empty()).collect();
    if snippet_lines
        .iter()
        .any(|s| lines.iter().any(|line| line.trim() == s.trim()))
    {
        return Err(InjectError::AlreadyPresent);
    }
    let indent = leading_whitespace(lines[anchor_at]);
    let insert_at = match placement {
        Placement::Before => anchor_at,
        Placement::Sorted => sorted_position(&lines, anchor_at, snippet_lines[0].trim()),
    };
    let mut out = String::with_capacity(text.len() + snippet.len() + 16);
    lines[..insert_at].iter().for_each(|l| out.push_str(l));
    for line in &snippet_lines {
        out.push_str(indent);
        out.push_str(line.trim());
        out.push('\n');
    }
    lines[insert_at..].iter().for_each(|l| out.push_str(l));
    Ok(out)
}

/// Inserts `block` (whole lines, each kept exactly as given, blank ones
/// too) on the lines just before `anchor`. Unlike [`inject`] it neither
/// re-indents nor looks for the lines elsewhere: a block such as a whole
/// function repeats lines (`}`) that are already in the file.
pub fn insert_verbatim(text: &str, anchor: &str, block: &str) -> Result<String, InjectError> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let anchor_at = lines
        .iter()
        .position(|line| line.trim() == anchor)
        .ok_or(InjectError::AnchorMissing)?;
    let mut out = String::with_capacity(text.len() + block.len() + 1);
    lines[..anchor_at].iter().for_each(|l| out.push_str(l));
    out.push_str(block);
    if !block.is_empty() && !block.ends_with('\n') {
        out.push('\n');
    }
    lines[anchor_at..].iter().for_each(|l| out.push_str(l));
    Ok(out)
}

/// The index, within the block of non-blank lines directly above the anchor,
/// of the first line that sorts after `line`; the anchor itself if none does.
fn sorted_position(lines: &[&str], anchor_at: usize, line: &str) -> usize {
    let block_start = lines[..anchor_at]
        .iter()
        .rposition(|l| l.trim().is_empty())
        .map_or(0, |blank| blank + 1);
    (block_start..anchor_at)
        .find(|&i| lines[i].trim() > line)
        .unwrap_or(anchor_at)
}

fn leading_whitespace(line: &str) -> &str {
    &line[..line.len() - line.trim_start().len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    const MODS: &str = "//! Routers.\n\nmod admin;\nmod users;\n// apigen:modules\n\nfn f() {}\n";

    #[test]
    fn sorted_snippets_land_in_alphabetical_order() {
        let out = inject(MODS, "// apigen:modules", "mod orders;", Placement::Sorted).unwrap();
        assert_eq!(
            out,
            "//! Routers.\n\nmod admin;\nmod orders;\nmod users;\n// apigen:modules\n\nfn f() {}\n"
        );
        let last = inject(MODS, "// apigen:modules", "mod zebras;", Placement::Sorted).unwrap();
        assert!(last.contains("mod users;\nmod zebras;\n// apigen:modules"));
        let first = inject(
            MODS,
            "// apigen:modules",
            "mod accounts;",
            Placement::Sorted,
        )
        .unwrap();
        assert!(first.contains("\n\nmod accounts;\nmod admin;"));
    }

    #[test]
    fn before_keeps_the_anchor_indentation() {
        let text = "    [\n        a::router(),\n        // apigen:routes\n    ]\n";
        let out = inject(text, "// apigen:routes", "b::router(),", Placement::Before).unwrap();
        assert_eq!(
            out,
            "    [\n        a::router(),\n        b::router(),\n        // apigen:routes\n    ]\n"
        );
    }

    #[test]
    fn a_missing_anchor_or_a_second_run_is_refused() {
        assert_eq!(
            inject("mod a;\n", "// apigen:modules", "mod b;", Placement::Sorted),
            Err(InjectError::AnchorMissing)
        );
        assert_eq!(
            inject(MODS, "// apigen:modules", "mod users;", Placement::Sorted),
            Err(InjectError::AlreadyPresent)
        );
    }

    #[test]
    fn a_verbatim_block_keeps_every_line_as_given() {
        let text = "fn a() {\n    x\n}\n// apigen:versions-routes\n\nfn z() {}\n";
        let block = "\nfn b() {\n    x\n}\n";
        let out = insert_verbatim(text, "// apigen:versions-routes", block).unwrap();
        assert_eq!(
            out,
            "fn a() {\n    x\n}\n\nfn b() {\n    x\n}\n// apigen:versions-routes\n\nfn z() {}\n"
        );
        let unterminated = insert_verbatim(text, "// apigen:versions-routes", "fn c() {}").unwrap();
        assert!(unterminated.contains("}\nfn c() {}\n// apigen:versions-routes\n"));
        assert_eq!(
            insert_verbatim("fn a() {}\n", "// apigen:versions-routes", block),
            Err(InjectError::AnchorMissing)
        );
    }
}
