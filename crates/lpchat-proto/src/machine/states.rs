//! The states of the machines and the moves between them, as tables: the one place the
//! diagrams of `docs/architecture.md` are checked against (see the tests below), and what
//! every change of state goes through ([`enter`]), so a move the table does not list fails
//! in debug builds (every test, every fuzz run) instead of drifting from the diagram.

/// A machine's states and the moves allowed between them.
pub(crate) trait States: Copy + Eq + 'static {
    /// The diagram's name in `docs/architecture.md` (`%% states: <name>`).
    const DIAGRAM: &'static str;
    /// The states a machine can start in.
    const START: &'static [Self];
    /// Every allowed move, `(from, to)`; staying in a state is always allowed.
    const MOVES: &'static [(Self, Self)];
    /// The state's name in the diagram.
    fn name(self) -> &'static str;
}

/// The state a machine starts in, checked against [`States::START`] (debug builds).
pub(crate) fn start<S: States>(state: S) -> S {
    debug_assert!(
        S::START.contains(&state),
        "{}: {} is not a start of its diagram (docs/architecture.md)",
        S::DIAGRAM,
        state.name()
    );
    state
}

/// Moves `state` to `to`. A move missing from [`States::MOVES`] is a defect of this crate
/// (never of the input): checked in debug builds only, so a release build never panics.
pub(crate) fn enter<S: States>(state: &mut S, to: S) {
    debug_assert!(
        *state == to || S::MOVES.contains(&(*state, to)),
        "{}: {} -> {} is not a move of its diagram (docs/architecture.md)",
        S::DIAGRAM,
        state.name(),
        to.name()
    );
    *state = to;
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::States;
    use crate::machine::agent::Phase as AgentPhase;
    use crate::machine::login::AuthState;
    use crate::machine::visitor::Phase as VisitorPhase;

    const ARCHITECTURE: &str = include_str!("../../../../docs/architecture.md");

    type Edges = BTreeSet<(String, String)>;

    /// The edges of the mermaid block marked `%% states: <name>`; `[*]` is the start.
    fn diagram(name: &str) -> Edges {
        let mark = format!("%% states: {name}");
        let mut lines = ARCHITECTURE.lines().skip_while(|l| l.trim() != mark);
        assert!(
            lines.next().is_some(),
            "no diagram `{mark}` in docs/architecture.md"
        );
        lines
            .take_while(|l| l.trim() != "```")
            .filter_map(|l| {
                let l = l.split(':').next().unwrap_or(l);
                let (from, to) = l.split_once("-->")?;
                Some((from.trim().to_owned(), to.trim().to_owned()))
            })
            .collect()
    }

    /// The edges the table gives.
    fn table<S: States>() -> Edges {
        let start = S::START
            .iter()
            .map(|s| ("[*]".to_owned(), s.name().to_owned()));
        let moves = S::MOVES
            .iter()
            .map(|(a, b)| (a.name().to_owned(), b.name().to_owned()));
        start.chain(moves).collect()
    }

    fn check<S: States>() {
        let (doc, code) = (diagram(S::DIAGRAM), table::<S>());
        assert_eq!(
            doc.difference(&code).collect::<Vec<_>>(),
            Vec::<&(String, String)>::new(),
            "{}: in the diagram, not in the code",
            S::DIAGRAM
        );
        assert_eq!(
            code.difference(&doc).collect::<Vec<_>>(),
            Vec::<&(String, String)>::new(),
            "{}: in the code, not in the diagram",
            S::DIAGRAM
        );
    }

    #[test]
    fn the_diagrams_are_the_tables() {
        check::<AgentPhase>();
        check::<VisitorPhase>();
        check::<AuthState>();
    }

    #[test]
    fn a_diagram_missing_a_move_is_caught() {
        let mut code = table::<AgentPhase>();
        code.remove(&("Closing".to_owned(), "Closed".to_owned()));
        assert_ne!(code, diagram(AgentPhase::DIAGRAM));
    }
}
