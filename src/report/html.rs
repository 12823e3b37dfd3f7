//! A trace as a picture: one self-contained HTML page (inline SVG and a
//! little script, nothing fetched) drawn as a message sequence chart. One
//! lane per client, per replica, for ZooKeeper and for the healer; each
//! step an event on the lane of the actor that takes it, with arrows for
//! what it implies (a write reaching its leader, a copy, an
//! acknowledgement, a log sent to the healer, a new leader announced) and
//! the actor's key state after it. Click a step for the full state. The
//! violated conjunct is at the bottom, and the values that break it are
//! marked (an acknowledged write the leader's log lacks).

use crate::spec::{client_name, replica_name, State, VAR_NAMES};
use crate::trace::Loop;
use std::fmt::Write;

/// What the page shows.
pub struct Picture<'a> {
    pub title: String,
    pub states: &'a [State],
    /// One per step, as `Action(args)`.
    pub actions: &'a [String],
    pub violated: Option<&'a str>,
    /// A `--reach` witness: the last state is a target, not a violation.
    pub witness: bool,
    pub conjunct: Option<&'a str>,
    pub lasso: Option<Loop>,
}

const LANE_W: usize = 150;
const ROW_H: usize = 64;
const TOP: usize = 90;
const LEFT: usize = 210;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn seq(xs: &[u32]) -> String {
    format!(
        "⟨{}⟩",
        xs.iter()
            .map(|x| x.to_string())
            .collect::<Vec<_>>()
            .join(",")
    )
}

/// The lanes: clients, replicas, ZooKeeper, the healer.
struct Lanes {
    clients: usize,
    replicas: usize,
}

impl Lanes {
    fn client(&self, c: usize) -> usize {
        c
    }
    fn replica(&self, r: usize) -> usize {
        self.clients + r
    }
    fn zk(&self) -> usize {
        self.clients + self.replicas
    }
    fn healer(&self) -> usize {
        self.clients + self.replicas + 1
    }
    fn count(&self) -> usize {
        self.clients + self.replicas + 2
    }
    fn name(&self, i: usize) -> String {
        if i < self.clients {
            format!("client {}", client_name(i))
        } else if i < self.zk() {
            format!("replica {}", replica_name(i - self.clients))
        } else if i == self.zk() {
            "ZooKeeper".into()
        } else {
            "healer".into()
        }
    }
    fn x(&self, i: usize) -> usize {
        LEFT + i * LANE_W
    }
    /// The key state of lane `i` in `s`.
    fn key_state(&self, i: usize, s: &State) -> String {
        if i < self.clients {
            let c = i;
            format!(
                "ok {} · pending {} · leader {}",
                seq(&s.client_success[c]),
                s.pending[c].map_or("nil".into(), |x| x.to_string()),
                replica_name(s.client_leader[c])
            )
        } else if i < self.zk() {
            let r = i - self.clients;
            format!(
                "log {} · {} · e{}{}",
                seq(&s.db[r]),
                s.db_status[r].name(),
                s.db_epoch[r],
                if s.old_leaders[r] { " · old" } else { "" }
            )
        } else if i == self.zk() {
            format!(
                "{} · epoch {} · leader {}",
                s.zk_status.name(),
                s.zk_epoch,
                replica_name(s.zk_leader)
            )
        } else {
            let got: Vec<String> = (0..self.replicas)
                .filter_map(|r| s.healer_replicas[r].map(|n| format!("{}:{n}", replica_name(r))))
                .collect();
            format!(
                "{} · e{}{}",
                s.healer_status.name(),
                s.healer_epoch,
                if got.is_empty() {
                    String::new()
                } else {
                    format!(" · logs {}", got.join(" "))
                }
            )
        }
    }
}

/// `StartRequest(c1)` -> ("StartRequest", Some(0)).
fn parse_action(a: &str) -> (&str, Option<usize>) {
    match a.split_once('(') {
        Some((name, rest)) => {
            let arg = rest.trim_end_matches(')');
            let n = arg
                .get(1..)
                .and_then(|d| d.parse::<usize>().ok())
                .filter(|&n| n >= 1)
                .map(|n| n - 1);
            (name, n)
        }
        None => (a, None),
    }
}

/// The lane that takes step `a` from `s` to `t`, and the messages it
/// implies: (from lane, to lane, label).
fn step_lanes(l: &Lanes, a: &str, s: &State, t: &State) -> (usize, Vec<(usize, usize, String)>) {
    let (name, arg) = parse_action(a);
    let arg = arg.unwrap_or(0);
    match name {
        "StartRequest" => {
            let leader = t.pending_db[arg].unwrap_or(t.client_leader[arg]);
            let req = t.pending[arg].map_or("?".into(), |x| x.to_string());
            (
                l.client(arg),
                vec![(l.client(arg), l.replica(leader), format!("write {req}"))],
            )
        }
        "DBResponse" => {
            let from = s.pending_db[arg].unwrap_or(s.client_leader[arg]);
            let req = s.pending[arg].map_or("?".into(), |x| x.to_string());
            (
                l.client(arg),
                vec![(l.replica(from), l.client(arg), format!("ack {req}"))],
            )
        }
        "ClientUpdateLeader" => (
            l.client(arg),
            vec![(
                l.zk(),
                l.client(arg),
                format!("leader {}", replica_name(t.client_leader[arg])),
            )],
        ),
        "Replicate" => {
            let leader = s.db_leader[arg];
            let v = t.db[arg].last().map_or("?".into(), |x| x.to_string());
            (
                l.replica(arg),
                vec![(l.replica(leader), l.replica(arg), format!("copy {v}"))],
            )
        }
        "DBUpdateLeader" => (
            l.replica(arg),
            vec![(l.zk(), l.replica(arg), format!("epoch {}", t.db_epoch[arg]))],
        ),
        "RecoverOldLeader" => (
            l.replica(arg),
            vec![(l.zk(), l.replica(arg), "recover".into())],
        ),
        "HealerUpdateState" => (
            l.healer(),
            vec![(l.zk(), l.healer(), format!("epoch {}", t.healer_epoch))],
        ),
        "HealerGetDBLog" => {
            let n = t.healer_replicas[arg].map_or("?".into(), |x| x.to_string());
            (
                l.healer(),
                vec![(l.replica(arg), l.healer(), format!("log length {n}"))],
            )
        }
        "HealerUpdateLeader" => (
            l.healer(),
            vec![(
                l.healer(),
                l.zk(),
                format!("new leader {}", replica_name(t.zk_leader)),
            )],
        ),
        "HealerUpdateToNormal" => (
            l.healer(),
            vec![(l.healer(), l.zk(), "back to Normal".into())],
        ),
        _ => (l.zk(), vec![]),
    }
}

/// Acknowledged writes missing from the leader's log, per client.
fn lost_writes(s: &State) -> Vec<(usize, u32)> {
    let log = &s.db[s.zk_leader];
    s.client_success
        .iter()
        .enumerate()
        .flat_map(|(c, xs)| xs.iter().filter(|x| !log.contains(x)).map(move |&x| (c, x)))
        .collect()
}

/// The page.
pub fn page(pic: &Picture) -> String {
    let s0 = &pic.states[0];
    let l = Lanes {
        clients: s0.client_success.len(),
        replicas: s0.db.len(),
    };
    let n = pic.actions.len();
    let width = LEFT + l.count() * LANE_W + 160;
    let height = TOP + (n + 2) * ROW_H + 60;
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         font-family=\"sans-serif\" font-size=\"12\">\
         <defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" \
         markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#345\"/>\
         </marker></defs>"
    );
    for i in 0..l.count() {
        let x = l.x(i);
        let _ = write!(
            svg,
            "<g class=\"lane\" data-lane=\"{name}\"><rect x=\"{rx}\" y=\"20\" width=\"{w}\" height=\"30\" \
             rx=\"6\" fill=\"#e8eef7\" stroke=\"#345\"/><text x=\"{x}\" y=\"40\" text-anchor=\"middle\" \
             font-weight=\"bold\">{name}</text><line x1=\"{x}\" y1=\"50\" x2=\"{x}\" y2=\"{y2}\" \
             stroke=\"#99a\" stroke-dasharray=\"4 4\"/></g>",
            name = esc(&l.name(i)),
            rx = x - LANE_W / 2 + 10,
            w = LANE_W - 20,
            y2 = height - 50,
        );
    }
    // The initial state: every lane's key state.
    let _ = write!(
        svg,
        "<g class=\"init\" data-step=\"0\" onclick=\"show(0)\" cursor=\"pointer\">"
    );
    for i in 0..l.count() {
        let _ = write!(
            svg,
            "<text x=\"{x}\" y=\"{y}\" text-anchor=\"middle\" fill=\"#456\" font-size=\"10\">{k}</text>",
            x = l.x(i),
            y = TOP - 10,
            k = esc(&l.key_state(i, s0))
        );
    }
    svg.push_str("</g>");
    for step in 1..=n {
        let (s, t) = (&pic.states[step - 1], &pic.states[step]);
        let a = &pic.actions[step - 1];
        let (lane, msgs) = step_lanes(&l, a, s, t);
        let y = TOP + step * ROW_H;
        let x = l.x(lane);
        let _ = write!(
            svg,
            "<g class=\"event\" data-step=\"{step}\" data-lane=\"{lane_name}\" onclick=\"show({step})\" \
             cursor=\"pointer\">",
            lane_name = esc(&l.name(lane))
        );
        // The step's label goes on the side its messages do not come from.
        let from_right = msgs.iter().any(|(f, t, _)| f.max(t) > &lane);
        for (from, to, label) in msgs {
            let (x1, x2) = (l.x(from), l.x(to));
            if from != to {
                let mid = (x1 + x2) / 2;
                let _ = write!(
                    svg,
                    "<line class=\"msg\" x1=\"{x1}\" y1=\"{y1}\" x2=\"{x2}\" y2=\"{y}\" stroke=\"#345\" \
                     stroke-width=\"1.5\" marker-end=\"url(#arrow)\"/><text x=\"{mid}\" y=\"{ty}\" \
                     text-anchor=\"middle\" fill=\"#345\" font-size=\"10\">{label}</text>",
                    y1 = y - 16,
                    ty = y - 19,
                    label = esc(&label)
                );
            }
        }
        let (tx, anchor) = if from_right {
            (x - 12, "end")
        } else {
            (x + 12, "start")
        };
        let _ = write!(
            svg,
            "<circle cx=\"{x}\" cy=\"{y}\" r=\"7\" fill=\"#2a6fdb\"/><text x=\"{tx}\" y=\"{ay}\" \
             text-anchor=\"{anchor}\" font-weight=\"bold\">{step}. {a}</text><text class=\"key\" \
             x=\"{tx}\" y=\"{ky}\" text-anchor=\"{anchor}\" fill=\"#456\" font-size=\"10\">{k}</text></g>",
            ay = y + 4,
            ky = y + 17,
            a = esc(a),
            k = esc(&l.key_state(lane, t))
        );
    }
    // How the behaviour ends, and what it breaks.
    let last = pic.states.last().expect("a trace has a state");
    let y_end = TOP + (n + 1) * ROW_H;
    if let Some(lasso) = pic.lasso {
        let what = match lasso {
            Loop::Back(b) => format!("then back to state {} forever", b + 1),
            Loop::Stutter => "then stutters forever".into(),
        };
        let _ = write!(
            svg,
            "<text class=\"lasso\" x=\"{LEFT}\" y=\"{y}\" fill=\"#a30\">{what}</text>",
            y = y_end - 20
        );
    }
    if pic.violated == Some("Consistent") {
        for (c, x) in lost_writes(last) {
            let _ = write!(
                svg,
                "<g class=\"broken\"><circle cx=\"{cx}\" cy=\"{y}\" r=\"11\" fill=\"none\" stroke=\"#d00\" \
                 stroke-width=\"3\"/><text x=\"{cx}\" y=\"{ty}\" text-anchor=\"middle\" fill=\"#d00\" \
                 font-weight=\"bold\">acknowledged {x}, not in {leader}'s log</text>\
                 <circle cx=\"{lx}\" cy=\"{y}\" r=\"11\" fill=\"none\" stroke=\"#d00\" stroke-width=\"3\"/></g>",
                cx = l.x(l.client(c)),
                lx = l.x(l.replica(last.zk_leader)),
                y = y_end,
                ty = y_end + 24,
                leader = replica_name(last.zk_leader)
            );
        }
    }
    svg.push_str("</svg>");
    let states_json: Vec<String> = pic
        .states
        .iter()
        .map(|s| {
            VAR_NAMES
                .iter()
                .map(|v| format!("/\\ {v} = {}", s.var_value(v)))
                .collect::<Vec<_>>()
                .join("\n")
        })
        .collect();
    let labels: Vec<String> = std::iter::once("Initial predicate".to_string())
        .chain(pic.actions.iter().cloned())
        .collect();
    let data = serde_json::to_string(&(states_json, labels))
        .expect("JSON")
        .replace("</", "<\\/");
    let conjunct = match (pic.violated, pic.conjunct) {
        (Some(q), Some(c)) if pic.witness => format!("{} reached: {}", esc(q), esc(c)),
        (Some(q), Some(c)) => format!("{} violated: {}", esc(q), esc(c)),
        (Some(q), None) => format!("{} violated", esc(q)),
        (None, Some(c)) => esc(c),
        (None, None) => String::new(),
    };
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>\
         <style>body{{font-family:sans-serif;margin:0;display:flex}}#chart{{overflow:auto;flex:1}}\
         #side{{width:420px;border-left:1px solid #ccc;padding:12px;height:100vh;overflow:auto;\
         box-sizing:border-box}}pre{{font-size:11px;white-space:pre-wrap}}\
         #conjunct{{color:#b00;font-weight:bold;padding:8px 12px}}\
         g.event:hover text{{fill:#000}}g.sel circle{{fill:#e80}}</style></head><body>\
         <div id=\"chart\"><h3 style=\"margin:8px 12px\">{title}</h3>\
         <div id=\"conjunct\">{conjunct}</div>{svg}</div>\
         <div id=\"side\"><b id=\"label\">Click a step to see its whole state.</b><pre id=\"state\"></pre></div>\
         <script>const DATA={data};function show(i){{document.getElementById('label').textContent=\
         'State '+(i+1)+': <'+DATA[1][i]+'>';document.getElementById('state').textContent=DATA[0][i];\
         document.querySelectorAll('g.sel').forEach(g=>g.classList.remove('sel'));\
         const g=document.querySelector('[data-step=\"'+i+'\"]');if(g)g.classList.add('sel');}}\
         show(DATA[0].length-1);</script></body></html>\n",
        title = esc(&pic.title),
    )
}

/// The page of a counterexample.
pub fn of(p: &crate::params::Params, cx: &crate::trace::Counterexample) -> String {
    let actions: Vec<String> = cx.trace.actions.iter().map(|a| a.to_string()).collect();
    let witness = cx.property.is_reach();
    page(&Picture {
        title: format!(
            "{} {} at depth {} ({})",
            cx.property,
            if witness {
                "reached (a witness)"
            } else {
                "violated"
            },
            cx.trace.depth(),
            p.describe()
        ),
        witness,
        states: &cx.trace.states,
        actions: &actions,
        violated: Some(cx.property.name()),
        conjunct: Some(&cx.conjunct),
        lasso: cx.lasso,
    })
}

/// Writes each counterexample of `report` as a page (see
/// `report::write_each` for the file names).
pub fn write(
    p: &crate::params::Params,
    report: &crate::engine::Report,
    file: &std::path::Path,
) -> crate::error::Result<()> {
    super::write_each(report, file, "HTML page", |cx| of(p, cx))
}

/// `bmc view TRACE.itf.json --html FILE`: the page of an ITF trace read
/// from a file (this tool's, or another's over SemiSync's variables).
pub fn view(trace: &std::path::Path, out: &std::path::Path) -> crate::error::Result<()> {
    use crate::error::Error;
    let text = std::fs::read_to_string(trace)
        .map_err(|e| Error::usage(format!("cannot read {}: {e}", trace.display())))?;
    let doc: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| Error::usage(format!("{} is not JSON: {e}", trace.display())))?;
    let t = super::itf::read(&doc).map_err(|e| {
        Error::usage(format!(
            "{} is not an ITF trace of SemiSync: {e}",
            trace.display()
        ))
    })?;
    let title = format!(
        "{}{}",
        trace
            .file_name()
            .map_or(String::new(), |n| n.to_string_lossy().into_owned()),
        t.violated.as_deref().map_or(String::new(), |q| format!(
            ": {q} {} at depth {}",
            if t.witness {
                "reached (a witness)"
            } else {
                "violated"
            },
            t.actions.len()
        ))
    );
    let html = page(&Picture {
        title,
        states: &t.states,
        actions: &t.actions,
        violated: t.violated.as_deref(),
        conjunct: t.conjunct.as_deref(),
        lasso: t.lasso,
        witness: t.witness,
    });
    std::fs::write(out, html).map_err(|e| Error::io(format!("the HTML page {}", out.display()), e))
}
