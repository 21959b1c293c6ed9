//! The retry policy, table by table: the documented schedule, jitter bounds, 429 and
//! `Retry-After` in both forms, the cap, 4xx, and state-changing requests, which are only
//! repeated when the failure proves the server did not act.

use std::time::Duration;

use http::StatusCode;
use lpchat_proto::{Attempt, Decision, Failure, Idempotency, OuterLoop, RetryAfter, RetryPolicy};
use proptest::prelude::*;

use Idempotency::{Safe, StateChanging};

const S: Duration = Duration::from_secs(1);
const MIN: Duration = Duration::from_secs(60);
const MS: Duration = Duration::from_millis(1);
/// 2026-11-02T10:00:00Z, a Monday.
const NOW: u64 = 1_793_613_600;
/// A sample that leaves a pause unchanged by symmetric jitter.
const MID: f64 = 0.5;

fn status(code: u16) -> Failure {
    Failure::status(StatusCode::from_u16(code).unwrap())
}

fn status_after(code: u16, retry_after: &str) -> Failure {
    let response = http::Response::builder()
        .status(code)
        .header("Retry-After", retry_after)
        .body(())
        .unwrap();
    Failure::from_response(&response)
}

fn retry(secs: u64) -> Decision {
    Decision::Retry {
        after: Duration::from_secs(secs),
    }
}

fn reconcile(secs: u64) -> Decision {
    Decision::Reconcile {
        after: Duration::from_secs(secs),
    }
}

fn decide(policy: &RetryPolicy, failure: &Failure, n: u32, idem: Idempotency) -> Decision {
    policy.decide(failure, &Attempt::new(n, idem, NOW, MID))
}

fn decide_going(policy: &RetryPolicy, failure: &Failure, n: u32, idem: Idempotency) -> Decision {
    policy.decide(failure, &Attempt::new(n, idem, NOW, MID).keep_going())
}

#[test]
fn documented_schedule_for_5xx() {
    let policy = RetryPolicy::default();
    let table: &[(u32, Decision, Decision)] = &[
        // attempt, bounded caller, caller that keeps going
        (1, retry(5), retry(5)),
        (2, retry(10), retry(10)),
        (3, retry(15), retry(15)),
        (4, Decision::GiveUp, retry(120)),
        (5, Decision::GiveUp, retry(120)),
        (50, Decision::GiveUp, retry(120)),
    ];
    for code in [500, 502, 503, 504, 599] {
        for (n, bounded, going) in table {
            assert_eq!(
                decide(&policy, &status(code), *n, Safe),
                *bounded,
                "{code} #{n}"
            );
            assert_eq!(
                decide_going(&policy, &status(code), *n, Safe),
                *going,
                "{code} #{n}"
            );
        }
    }
}

#[test]
fn transport_failures_follow_the_same_schedule() {
    let policy = RetryPolicy::default();
    for failure in [
        Failure::ConnectFailed,
        Failure::Timeout,
        Failure::ConnectionDropped,
        Failure::BodyInvalid,
    ] {
        let got: Vec<Decision> = (1..=4)
            .map(|n| decide(&policy, &failure, n, Safe))
            .collect();
        assert_eq!(
            got,
            [retry(5), retry(10), retry(15), Decision::GiveUp],
            "{failure:?}"
        );
        assert_eq!(decide_going(&policy, &failure, 4, Safe), retry(120));
    }
}

#[test]
fn exponential_outer_loop() {
    let policy = RetryPolicy::default().with_outer(OuterLoop::Exponential {
        first: 2 * MIN,
        max: 8 * MIN,
    });
    let got: Vec<Decision> = (1..=8)
        .map(|n| decide_going(&policy, &status(500), n, Safe))
        .collect();
    assert_eq!(
        got,
        [
            retry(5),
            retry(10),
            retry(15),
            retry(120),
            retry(240),
            retry(480),
            retry(480),
            retry(480)
        ]
    );
    assert_eq!(decide(&policy, &status(500), 4, Safe), Decision::GiveUp);
}

#[test]
fn jitter_is_ten_percent_either_way_by_default() {
    let policy = RetryPolicy::default();
    let table: &[(f64, [u64; 4])] = &[
        // sample, pauses in ms of attempts 1-3 and of the outer loop
        (0.0, [4_500, 9_000, 13_500, 108_000]),
        (0.25, [4_750, 9_500, 14_250, 114_000]),
        (0.5, [5_000, 10_000, 15_000, 120_000]),
        (0.75, [5_250, 10_500, 15_750, 126_000]),
    ];
    for (sample, want) in table {
        let got: Vec<u64> = (1..=4)
            .map(|n| {
                let attempt = Attempt::new(n, Safe, NOW, *sample).keep_going();
                let after = policy.decide(&status(500), &attempt).after().unwrap();
                u64::try_from(after.as_millis()).unwrap()
            })
            .collect();
        assert_eq!(got, want, "sample {sample}");
    }
    let none = RetryPolicy::default().with_jitter(0.0);
    let attempt = Attempt::new(1, Safe, NOW, 0.0);
    assert_eq!(none.decide(&status(500), &attempt), retry(5));
}

#[test]
fn rate_limited_429() {
    let policy = RetryPolicy::default();
    let in_90s = "Mon, 02 Nov 2026 10:01:30 GMT";
    let past = "Mon, 02 Nov 2026 09:00:00 GMT";
    let table: &[(Failure, Decision)] = &[
        (status(429), retry(1)),
        (status_after(429, "0"), retry(1)),
        (status_after(429, "1"), retry(1)),
        (status_after(429, "30"), retry(30)),
        (status_after(429, in_90s), retry(90)),
        (status_after(429, past), retry(1)),
        (status_after(429, "later, please"), retry(1)),
    ];
    for (failure, want) in table {
        // Sample 0: the upward-only jitter leaves the asked-for pause as it is.
        for idem in [Safe, StateChanging] {
            let attempt = Attempt::new(1, idem, NOW, 0.0);
            assert_eq!(
                policy.decide(failure, &attempt),
                *want,
                "{failure:?} {idem:?}"
            );
        }
    }
    // The tenth 429 is still retried, the eleventh is not, unless the caller keeps going.
    assert_eq!(
        decide(&policy, &status(429), 10, StateChanging)
            .after()
            .map(|d| d >= S),
        Some(true)
    );
    assert_eq!(decide(&policy, &status(429), 11, Safe), Decision::GiveUp);
    assert_eq!(decide_going(&policy, &status(429), 11, Safe), retry(120));
    assert_eq!(
        decide_going(&policy, &status(429), 11, StateChanging),
        retry(120)
    );
}

#[test]
fn asked_for_pauses_are_never_shortened_by_jitter() {
    let policy = RetryPolicy::default();
    for sample in [0.0, 0.3, 0.5, 0.999] {
        let attempt = Attempt::new(1, Safe, NOW, sample);
        let after = policy.decide(&status(429), &attempt).after().unwrap();
        assert!(after >= S && after < S.mul_f64(1.1), "{sample}: {after:?}");
        let after = policy
            .decide(&status_after(503, "40"), &attempt)
            .after()
            .unwrap();
        assert!(
            after >= 40 * S && after < (40 * S).mul_f64(1.1),
            "{sample}: {after:?}"
        );
    }
}

#[test]
fn retry_after_on_5xx_lengthens_but_never_shortens_the_schedule() {
    // Without jitter, so that both kinds of pause show exactly.
    let policy = RetryPolicy::default().with_jitter(0.0);
    let in_40s = "Mon, 02 Nov 2026 10:00:40 GMT";
    let rfc850 = "Monday, 02-Nov-26 10:00:40 GMT";
    let asctime = "Mon Nov  2 10:00:40 2026";
    let table: &[(Failure, u32, Decision, Decision)] = &[
        // failure, attempt, safe, state-changing
        (status_after(503, "2"), 1, retry(5), reconcile(5)),
        (status_after(503, "40"), 1, retry(40), reconcile(40)),
        (status_after(503, in_40s), 1, retry(40), reconcile(40)),
        (status_after(503, rfc850), 1, retry(40), reconcile(40)),
        (status_after(503, asctime), 1, retry(40), reconcile(40)),
        (status_after(500, "12"), 2, retry(12), reconcile(12)),
        (status_after(503, "12"), 3, retry(15), reconcile(15)),
        (
            status_after(503, "40"),
            4,
            Decision::GiveUp,
            Decision::GiveUp,
        ),
    ];
    for (failure, n, safe, changing) in table {
        assert_eq!(
            decide(&policy, failure, *n, Safe),
            *safe,
            "{failure:?} #{n}"
        );
        assert_eq!(
            decide(&policy, failure, *n, StateChanging),
            *changing,
            "{failure:?} #{n}"
        );
    }
}

#[test]
fn retry_after_is_capped() {
    let policy = RetryPolicy::default();
    let table: &[(Failure, Decision)] = &[
        (status_after(429, "3600"), retry(300)),
        (status_after(429, "99999999999999999999"), retry(300)),
        (
            status_after(429, "Tue, 03 Nov 2026 10:00:00 GMT"),
            retry(300),
        ),
        (status_after(503, "3600"), retry(300)),
    ];
    for (failure, want) in table {
        assert_eq!(
            policy.decide(failure, &Attempt::new(1, Safe, NOW, 0.0)),
            *want
        );
    }
    let short = RetryPolicy::default().with_max_retry_after(20 * S);
    assert_eq!(
        short.decide(&status_after(429, "3600"), &Attempt::new(1, Safe, NOW, 0.0)),
        retry(20)
    );
    // A cap below the 1 s floor of a 429 does not lower the floor.
    let tiny = RetryPolicy::default().with_max_retry_after(Duration::ZERO);
    assert_eq!(
        tiny.decide(&status_after(429, "60"), &Attempt::new(1, Safe, NOW, 0.0)),
        retry(1)
    );
}

#[test]
fn client_errors_are_not_retried() {
    let policy = RetryPolicy::default();
    for code in [
        400, 401, 403, 404, 405, 408, 409, 410, 413, 415, 422, 451, 499,
    ] {
        for idem in [Safe, StateChanging] {
            for n in [1, 2, 5] {
                assert_eq!(
                    decide(&policy, &status(code), n, idem),
                    Decision::GiveUp,
                    "{code}"
                );
                assert_eq!(
                    decide_going(&policy, &status(code), n, idem),
                    Decision::GiveUp
                );
            }
        }
        // Not even when the server sends a Retry-After.
        assert_eq!(
            decide(&policy, &status_after(code, "5"), 1, Safe),
            Decision::GiveUp
        );
    }
    // A status that is no error at all is not something to retry either.
    for code in [200, 201, 302, 304, 600, 999] {
        assert_eq!(
            decide(&policy, &status(code), 1, Safe),
            Decision::GiveUp,
            "{code}"
        );
    }
}

#[test]
fn state_changing_requests_are_only_repeated_when_provably_not_applied() {
    let policy = RetryPolicy::default();
    let table: &[(Failure, [Decision; 4])] = &[
        // attempts 1-3, then 4 for a caller that keeps going
        (
            Failure::ConnectFailed,
            [retry(5), retry(10), retry(15), retry(120)],
        ),
        // The 1 s floor of a 429, plus the upward jitter of sample 0.5 (5%).
        (status(429), [Decision::Retry { after: 1050 * MS }; 4]),
        (
            Failure::Timeout,
            [reconcile(5), reconcile(10), reconcile(15), reconcile(120)],
        ),
        (
            Failure::ConnectionDropped,
            [reconcile(5), reconcile(10), reconcile(15), reconcile(120)],
        ),
        (
            Failure::BodyInvalid,
            [reconcile(5), reconcile(10), reconcile(15), reconcile(120)],
        ),
        (
            status(500),
            [reconcile(5), reconcile(10), reconcile(15), reconcile(120)],
        ),
        (
            status(502),
            [reconcile(5), reconcile(10), reconcile(15), reconcile(120)],
        ),
        (
            status(503),
            [reconcile(5), reconcile(10), reconcile(15), reconcile(120)],
        ),
        (
            status(504),
            [reconcile(5), reconcile(10), reconcile(15), reconcile(120)],
        ),
        (status(400), [Decision::GiveUp; 4]),
        (status(409), [Decision::GiveUp; 4]),
    ];
    for (failure, want) in table {
        let got = [
            decide(&policy, failure, 1, StateChanging),
            decide(&policy, failure, 2, StateChanging),
            decide(&policy, failure, 3, StateChanging),
            decide_going(&policy, failure, 4, StateChanging),
        ];
        assert_eq!(got, *want, "{failure:?}");
    }
    // Without keep_going a state-changing failure past the schedule gives up.
    assert_eq!(
        decide(&policy, &Failure::Timeout, 4, StateChanging),
        Decision::GiveUp
    );
}

fn any_failure() -> impl Strategy<Value = Failure> {
    prop_oneof![
        (100u16..1000, prop::option::of(0u64..100_000)).prop_map(|(code, ra)| Failure::Status {
            status: StatusCode::from_u16(code).unwrap(),
            retry_after: ra.map(RetryAfter::Seconds),
        }),
        Just(Failure::ConnectFailed),
        Just(Failure::Timeout),
        Just(Failure::ConnectionDropped),
        Just(Failure::BodyInvalid),
    ]
}

proptest! {
    #[test]
    fn a_state_changing_request_is_retried_only_when_provably_safe(
        failure in any_failure(),
        n in 0u32..40,
        sample in 0.0f64..1.0,
        keep_going in any::<bool>(),
    ) {
        let policy = RetryPolicy::default();
        let mut attempt = Attempt::new(n, StateChanging, NOW, sample);
        if keep_going {
            attempt = attempt.keep_going();
        }
        let decision = policy.decide(&failure, &attempt);
        if let Decision::Retry { .. } = decision {
            prop_assert!(failure.certainly_not_applied(), "{failure:?} retried blindly");
        }
        // The same failure of a safe request is retried whenever this one is reconciled.
        let mut safe_attempt = attempt;
        safe_attempt.idempotency = Safe;
        let safe = policy.decide(&failure, &safe_attempt);
        if let Decision::Reconcile { after } = decision {
            prop_assert_eq!(safe, Decision::Retry { after });
        }
    }

    #[test]
    fn pauses_stay_within_the_jitter_bounds(n in 1u32..4, sample in 0.0f64..1.0) {
        let policy = RetryPolicy::default();
        let base = Duration::from_secs([5, 10, 15][usize::try_from(n - 1).unwrap()]);
        let after = policy
            .decide(&status(500), &Attempt::new(n, Safe, NOW, sample))
            .after()
            .unwrap();
        prop_assert!(after >= base.mul_f64(0.9) && after < base.mul_f64(1.1), "{after:?}");
    }
}
