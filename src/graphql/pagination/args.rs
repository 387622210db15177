//! The one reading of a connection field's `first/after/last/before`, for
//! every list: the top-level lists and the pages of relations alike.

use crate::error::{AppError, AppResult};

/// Largest page a client may ask for; larger is BAD_USER_INPUT, never clamped.
pub const MAX_PAGE_SIZE: i32 = 100;
/// The page size when neither `first` nor `last` is given.
pub const DEFAULT_PAGE_SIZE: i32 = 20;

/// A checked page request: how many items, which way, and from which cursor
/// (still encoded: each list decodes its own).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageRequest {
    pub limit: u64,
    /// `last`/`before`: the items before the cursor (or the end), in list order.
    pub backward: bool,
    pub cursor: Option<String>,
}

impl PageRequest {
    /// `first` goes with `after`, `last` with `before`; sizes are 0 to
    /// [`MAX_PAGE_SIZE`]; anything else is BAD_USER_INPUT.
    pub fn parse(
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> AppResult<Self> {
        if first.is_some() && last.is_some() {
            return Err(AppError::bad_input(
                "pass `first` (with `after`) or `last` (with `before`), not both",
            ));
        }
        if after.is_some() && before.is_some() {
            return Err(AppError::bad_input("pass `after` or `before`, not both"));
        }
        if first.is_some() && before.is_some() {
            return Err(AppError::bad_input(
                "`before` goes with `last`, not `first`",
            ));
        }
        if last.is_some() && after.is_some() {
            return Err(AppError::bad_input("`after` goes with `first`, not `last`"));
        }
        let limit = match (first, last) {
            (Some(n), _) => size("first", n)?,
            (_, Some(n)) => size("last", n)?,
            _ => DEFAULT_PAGE_SIZE as u64,
        };
        Ok(Self {
            limit,
            backward: last.is_some() || before.is_some(),
            cursor: after.or(before),
        })
    }

    /// The first `limit` items of a list, for fields that show a fixed slice.
    pub fn first(limit: i32) -> Self {
        Self {
            limit: limit.clamp(0, MAX_PAGE_SIZE) as u64,
            backward: false,
            cursor: None,
        }
    }
}

fn size(name: &str, n: i32) -> AppResult<u64> {
    if (0..=MAX_PAGE_SIZE).contains(&n) {
        Ok(n as u64)
    } else {
        Err(AppError::bad_input(format!(
            "`{name}` must be between 0 and {MAX_PAGE_SIZE}, got {n}"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(
        first: Option<i32>,
        after: Option<&str>,
        last: Option<i32>,
        before: Option<&str>,
    ) -> AppResult<PageRequest> {
        PageRequest::parse(
            first,
            after.map(str::to_string),
            last,
            before.map(str::to_string),
        )
    }

    #[test]
    fn first_goes_with_after_and_last_with_before() {
        let forward = parse(Some(5), Some("c"), None, None).unwrap();
        assert_eq!(
            (forward.limit, forward.backward, forward.cursor.as_deref()),
            (5, false, Some("c"))
        );
        let backward = parse(None, None, Some(3), Some("c")).unwrap();
        assert_eq!((backward.limit, backward.backward), (3, true));
        let before_alone = parse(None, None, None, Some("c")).unwrap();
        assert_eq!((before_alone.limit, before_alone.backward), (20, true));
        assert_eq!(parse(None, None, None, None).unwrap().limit, 20);
        for refused in [
            parse(Some(1), None, Some(1), None),
            parse(None, Some("a"), None, Some("b")),
            parse(Some(1), None, None, Some("b")),
            parse(None, Some("a"), Some(1), None),
            parse(Some(101), None, None, None),
            parse(None, None, Some(-1), None),
        ] {
            assert_eq!(refused.unwrap_err().code(), "BAD_USER_INPUT");
        }
    }
}
