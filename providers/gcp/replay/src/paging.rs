//! Paging every list the same way: at most the server's page size (or the request's own, when smaller), and an
//! opaque-looking `nextPageToken` the next request sends back as `pageToken`.

use std::collections::BTreeMap;

use crate::errors::ApiError;

const PREFIX: &str = "replay-page-";

/// Where a page starts: its number (1 is the first) and the offset of its first item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cursor {
    pub(crate) page: usize,
    pub(crate) offset: usize,
}

/// The cursor the request's `pageToken` names; the first page without one. A token the fake did not hand out is
/// an error, as it is at Google.
pub(crate) fn cursor(query: &BTreeMap<String, String>) -> Result<Cursor, ApiError> {
    let Some(token) = query.get("pageToken").filter(|t| !t.is_empty()) else {
        return Ok(Cursor { page: 1, offset: 0 });
    };
    let parsed = token.strip_prefix(PREFIX).and_then(|rest| {
        let (page, offset) = rest.split_once("-from-")?;
        Some(Cursor { page: page.parse().ok()?, offset: offset.parse().ok()? })
    });
    parsed.ok_or_else(|| ApiError::invalid(format!("Invalid value for field 'pageToken': '{token}'")))
}

/// One page of `all` and the token of the next, if any. `size_param` is the method's own page-size parameter
/// (`maxResults` or `pageSize`); `server_size` 0 means no limit.
pub(crate) fn page<T>(
    all: Vec<T>,
    query: &BTreeMap<String, String>,
    size_param: &str,
    server_size: usize,
) -> Result<(Vec<T>, Option<String>), ApiError> {
    let cursor = cursor(query)?;
    let asked = query.get(size_param).and_then(|s| s.parse::<usize>().ok()).filter(|n| *n > 0);
    let size = match (server_size, asked) {
        (0, None) => usize::MAX,
        (0, Some(asked)) => asked,
        (server, Some(asked)) => server.min(asked),
        (server, None) => server,
    };
    let total = all.len();
    let end = cursor.offset.saturating_add(size).min(total);
    let items: Vec<T> = all.into_iter().skip(cursor.offset).take(end.saturating_sub(cursor.offset)).collect();
    let next = (end < total).then(|| format!("{PREFIX}{}-from-{end}", cursor.page + 1));
    Ok((items, next))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn pages_walk_the_whole_list_and_stop() {
        let (first, token) = page(vec![1, 2, 3, 4, 5], &query(&[]), "maxResults", 2).expect("first page");
        assert_eq!((first, token.as_deref()), (vec![1, 2], Some("replay-page-2-from-2")));
        let token = token.expect("a second page");
        let (second, next) =
            page(vec![1, 2, 3, 4, 5], &query(&[("pageToken", &token)]), "maxResults", 2).expect("second page");
        assert_eq!(second, vec![3, 4]);
        let last = next.expect("a third page");
        let (third, end) =
            page(vec![1, 2, 3, 4, 5], &query(&[("pageToken", &last)]), "maxResults", 2).expect("third page");
        assert_eq!((third, end), (vec![5], None));
    }

    #[test]
    fn a_smaller_page_size_asked_for_wins() {
        let (items, _) = page(vec![1, 2, 3], &query(&[("pageSize", "1")]), "pageSize", 2).expect("page");
        assert_eq!(items, vec![1]);
    }

    #[test]
    fn a_token_not_handed_out_is_refused() {
        assert!(cursor(&query(&[("pageToken", "bogus")])).is_err());
    }
}
