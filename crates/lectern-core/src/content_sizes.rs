//! Each stored article record's size, kept beside the texts (`lectern_dom::runner::derived`)
//! so the storage usage the library shows needs the database's keys, not a read of every text
//! (125 MB with 2,000 articles: an article opened meanwhile waited half a second behind it).
//!
//! A cache: a record that does not read back is no record, and sizes it lacks are read from
//! the texts.

use std::collections::BTreeMap;

/// The first line of a kept record.
const FORMAT: &str = "lectern-content-sizes 1";

/// The size of a stored record in bytes, as browsers count strings (UTF-16).
pub fn record_bytes(record: &str) -> u64 {
    2 * crate::text::utf16_len(record) as u64
}

/// `sizes` as text: the format line, one `id<TAB>bytes` line per article, and `#end` with the
/// number of lines (so a record cut short never reads as a smaller one).
pub fn to_stored(sizes: &BTreeMap<String, u64>) -> String {
    let mut out = format!("{FORMAT}\n");
    for (id, bytes) in sizes {
        out.push_str(&format!("{id}\t{bytes}\n"));
    }
    out.push_str(&format!("#end {}\n", sizes.len()));
    out
}

/// A record written by [`to_stored`]; `None` for anything else.
pub fn from_stored(s: &str) -> Option<BTreeMap<String, u64>> {
    let mut lines = s.split('\n');
    if lines.next()? != FORMAT {
        return None;
    }
    let mut out = BTreeMap::new();
    for line in lines.by_ref() {
        if let Some(n) = line.strip_prefix("#end ") {
            return (n.parse() == Ok(out.len()) && lines.all(str::is_empty)).then_some(out);
        }
        let (id, bytes) = line.split_once('\t')?;
        if !crate::route::is_valid_id(id)
            || out.insert(id.to_owned(), bytes.parse().ok()?).is_some()
        {
            return None;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_record_cut_short_or_altered_is_refused() {
        let sizes: BTreeMap<String, u64> =
            [("imp-1".to_owned(), 120), ("imp-2".to_owned(), 64_000)].into();
        let kept = to_stored(&sizes);
        assert_eq!(from_stored(&kept), Some(sizes));
        for cut in 0..kept.len() - 1 {
            assert_eq!(from_stored(&kept[..cut]), None, "cut at {cut}");
        }
        for bad in [
            kept.replace("sizes 1", "sizes 2"),
            kept.replace("#end 2", "#end 3"),
            kept.replace("\t120", "\t-1"),
            kept.replace("imp-2", "imp-1"),
            kept.replace("imp-2", "../x"),
            format!("{kept}imp-3\t1\n"),
        ] {
            assert_eq!(from_stored(&bad), None, "{bad:?}");
        }
    }

    #[test]
    fn sizes_count_utf16_bytes() {
        assert_eq!(record_bytes("ab"), 4);
        assert_eq!(record_bytes("ёж"), 4);
        assert_eq!(record_bytes("𝄞"), 4);
    }

    proptest! {
        #[test]
        fn sizes_read_back_as_written(
            sizes in prop::collection::btree_map("[a-z0-9-]{1,12}", any::<u64>(), 0..20),
        ) {
            let sizes: BTreeMap<String, u64> = sizes
                .into_iter()
                .filter(|(id, _)| crate::route::is_valid_id(id))
                .collect();
            prop_assert_eq!(from_stored(&to_stored(&sizes)), Some(sizes));
        }
    }
}
