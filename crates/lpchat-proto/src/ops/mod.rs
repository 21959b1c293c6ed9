//! Operations: one type per endpoint.

pub(crate) mod http_date;
