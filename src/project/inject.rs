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

/// Where a sorted snippet goes within the block of non-blank lines directly
/// above the anchor: before the first item that sorts after `line`, the anchor
/// itself if none does.
///
/// An item is its line together with the attributes and comments just above
/// it (`#[cfg(test)]`, `/// docs`), as rustfmt keeps them when it sorts: a
/// snippet never lands between an attribute and the item it belongs to.
fn sorted_position(lines: &[&str], anchor_at: usize, line: &str) -> usize {
    let block_start = lines[..anchor_at]
        .iter()
        .rposition(|l| l.trim().is_empty())
        .map_or(0, |blank| blank + 1);
    let key = sort_key(line);
    let mut item_start = block_start;
    for (i, current) in lines.iter().enumerate().take(anchor_at).skip(block_start) {
        let current = current.trim();
        if is_attached_to_next(current) {
            continue;
        }
        if sort_key(current) > key {
            return item_start;
        }
        item_start = i + 1;
    }
    anchor_at
}

/// Attributes and comments belong to the item below them.
fn is_attached_to_next(line: &str) -> bool {
    line.starts_with("#[") || line.starts_with("//")
}

/// What rustfmt sorts `mod` declarations by: the module's name, whatever the
/// visibility (`pub mod b;` sorts after `mod a;`). Other lines sort as written.
fn sort_key(line: &str) -> &str {
    let item = line.trim();
    let unqualified = item
        .strip_prefix("pub ")
        .or_else(|| {
            item.strip_prefix("pub(")
                .and_then(|rest| rest.split_once(") "))
                .map(|(_, rest)| rest)
        })
        .unwrap_or(item);
    unqualified
        .strip_prefix("mod ")
        .map_or(item, |name| name.trim_end_matches(';').trim())
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

    /// A module block as the generated projects have them: a test-only
    /// module with its attribute, a documented one, mixed visibility.
    const ATTRIBUTED: &str = "pub mod auth;\n#[cfg(test)]\npub mod contract;\n/// Paging.\nmod pagination;\npub mod user;\n// apigen:modules\n";

    fn sorted(name: &str) -> String {
        inject(
            ATTRIBUTED,
            "// apigen:modules",
            &format!("pub mod {name};"),
            Placement::Sorted,
        )
        .unwrap()
    }

    #[test]
    fn a_sorted_snippet_never_separates_an_attribute_or_doc_from_its_item() {
        assert_eq!(
            sorted("comment"),
            "pub mod auth;\npub mod comment;\n#[cfg(test)]\npub mod contract;\n/// Paging.\nmod pagination;\npub mod user;\n// apigen:modules\n"
        );
        assert!(
            sorted("order")
                .contains("pub mod contract;\npub mod order;\n/// Paging.\nmod pagination;")
        );
        // Before the first item, between each pair and after the last: every
        // attribute and doc comment is still directly above its own item.
        for name in [
            "account", "book", "comment", "coupon", "note", "post", "zone",
        ] {
            let out = sorted(name);
            assert!(
                out.contains("#[cfg(test)]\npub mod contract;\n"),
                "{name}: {out}"
            );
            assert!(
                out.contains("/// Paging.\nmod pagination;\n"),
                "{name}: {out}"
            );
            let names: Vec<&str> = out
                .lines()
                .filter(|l| l.contains("mod "))
                .map(sort_key)
                .collect();
            assert!(names.is_sorted(), "{name}: {names:?}");
        }
    }

    #[test]
    fn mod_lines_sort_by_module_name_whatever_the_visibility() {
        assert_eq!(sort_key("pub mod users;"), "users");
        assert_eq!(sort_key("pub(crate) mod users;"), "users");
        assert_eq!(sort_key("mod users;"), "users");
        assert_eq!(sort_key("  b::router(),"), "b::router(),");
        let text = "mod admin;\npub mod orders;\n// apigen:modules\n";
        let out = inject(text, "// apigen:modules", "mod audit;", Placement::Sorted).unwrap();
        assert_eq!(
            out,
            "mod admin;\nmod audit;\npub mod orders;\n// apigen:modules\n"
        );
    }

    #[test]
    fn a_comment_right_above_the_anchor_stays_there() {
        let text = "mod a;\n// resources:\n// apigen:modules\n";
        let out = inject(text, "// apigen:modules", "mod z;", Placement::Sorted).unwrap();
        assert_eq!(out, "mod a;\n// resources:\nmod z;\n// apigen:modules\n");
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
