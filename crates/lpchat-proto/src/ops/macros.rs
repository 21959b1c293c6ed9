//! Declares the many operations that are a plain GET decoding one model.

/// `get_op!(doc; Name => Output, "A5", success statuses)`: a struct with a location and query
/// parameters, an `at(href)` constructor, and an [`Operation`](super::Operation) impl that
/// GETs and decodes. Other constructors are written beside each use.
macro_rules! get_op {
    (
        $(#[$meta:meta])*
        $name:ident => $out:ty, $endpoint:literal, $ok:expr
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $name {
            loc: $crate::ops::url::Loc,
            params: Vec<(&'static str, String)>,
        }

        impl $name {
            /// The operation at exactly this URL (a link the server gave).
            pub fn at(href: impl AsRef<str>) -> Self {
                Self::with_loc($crate::ops::url::Loc::href(href.as_ref()))
            }

            #[allow(dead_code)]
            fn with_loc(loc: $crate::ops::url::Loc) -> Self {
                $name {
                    loc,
                    params: Vec::new(),
                }
            }

            #[allow(dead_code)]
            fn set_param(mut self, name: &'static str, encoded: String) -> Self {
                self.params.retain(|(n, _)| *n != name);
                self.params.push((name, encoded));
                self
            }

            /// Adds a query parameter (an undocumented or newer one; the documented ones have
            /// their own methods). It replaces the link's parameters of the same name; calling
            /// it twice with one name sends the name twice.
            pub fn with_param(mut self, name: &'static str, value: &str) -> Self {
                self.params
                    .push((name, $crate::ops::request::enc(value)));
                self
            }
        }

        impl $crate::ops::Operation for $name {
            type Output = $out;
            const ENDPOINT: &'static str = $endpoint;

            fn idempotency(&self) -> $crate::ops::Idempotency {
                $crate::ops::Idempotency::Safe
            }

            fn build(
                &self,
                ctx: &$crate::ops::Context,
            ) -> Result<http::Request<bytes::Bytes>, $crate::ops::Error> {
                let mut plan = $crate::ops::request::Plan::new(http::Method::GET, self.loc.clone());
                plan.params = self.params.clone();
                plan.build(ctx)
            }

            fn parse_with(
                &self,
                response: http::Response<bytes::Bytes>,
                limits: &$crate::codec::Limits,
            ) -> Result<$out, $crate::ops::Error> {
                $crate::ops::response::expect_status(&response, $ok)?;
                $crate::ops::response::decode_body(&response, limits)
            }
        }
    };
}

/// `send_op!(doc; Name(Body) => Output, "A6", PUT, Safe, |response, limits| parse)`: a
/// struct with a location and a body model, an `at(href, body)` constructor, and an
/// [`Operation`](super::Operation) impl that sends the body in the context's format (PUT and
/// DELETE tunnelled) and parses with the given expression.
macro_rules! send_op {
    (
        $(#[$meta:meta])*
        $name:ident($body:ty) => $out:ty, $endpoint:literal, $method:ident, $idem:ident,
        |$response:ident, $limits:ident| $parse:expr
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq)]
        pub struct $name {
            loc: $crate::ops::url::Loc,
            body: $body,
        }

        impl $name {
            /// The operation at exactly this URL (a link the server gave), with this body.
            pub fn at(href: impl AsRef<str>, body: $body) -> Self {
                Self::with_loc($crate::ops::url::Loc::href(href.as_ref()), body)
            }

            #[allow(dead_code)]
            fn with_loc(loc: $crate::ops::url::Loc, body: $body) -> Self {
                $name { loc, body }
            }

            /// The request body.
            pub fn body(&self) -> &$body {
                &self.body
            }
        }

        impl $crate::ops::Operation for $name {
            type Output = $out;
            const ENDPOINT: &'static str = $endpoint;

            fn idempotency(&self) -> $crate::ops::Idempotency {
                $crate::ops::Idempotency::$idem
            }

            fn build(
                &self,
                ctx: &$crate::ops::Context,
            ) -> Result<http::Request<bytes::Bytes>, $crate::ops::Error> {
                $crate::ops::request::Plan::new(http::Method::$method, self.loc.clone())
                    .body($crate::ops::request::body_of(ctx, &self.body)?)
                    .build(ctx)
            }

            fn parse_with(
                &self,
                response: http::Response<bytes::Bytes>,
                limits: &$crate::codec::Limits,
            ) -> Result<$out, $crate::ops::Error> {
                let $response = response;
                let $limits = limits;
                let _ = $limits;
                $parse
            }
        }
    };
}

pub(crate) use get_op;
pub(crate) use send_op;
