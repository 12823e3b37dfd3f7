//! `--html` and `bmc view`, rendered by a real browser (headless
//! Chromium): the page of the 4-replica lost write has one event per step,
//! one lane per actor, the violated conjunct and the broken values marked,
//! runs its script, and its screenshot is not blank.

mod common;

use common::bmc;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The browser, or `None` outside CI when it is not installed (said on
/// stderr). Under CI it must be there: `.ci/run` installs it.
fn chromium() -> Option<&'static str> {
    for b in ["chromium", "chromium-browser", "google-chrome"] {
        if Command::new(b)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
        {
            return Some(b);
        }
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("no chromium on this CI machine: .ci/run should have installed it");
    }
    eprintln!("SKIPPED: the browser tests need chromium (apt-get install chromium)");
    None
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("bmc-html-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d.join(name)
}

fn browser(b: &str, args: &[&str], page: &Path) -> std::process::Output {
    let profile = tmp(&format!("profile-{}", args.len()));
    Command::new(b)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("run chromium")
}

/// Pixels of a PNG that are not (near) white, decoded with Python's zlib.
fn inked_pixels(png: &Path) -> u64 {
    let script = r#"
import sys, zlib, struct
d = open(sys.argv[1], 'rb').read()
assert d[:8] == b'\x89PNG\r\n\x1a\n'
i, idat, w, h, ct = 8, b'', 0, 0, 0
while i < len(d):
    n, t = struct.unpack('>I4s', d[i:i+8]); body = d[i+8:i+8+n]; i += 12 + n
    if t == b'IHDR': w, h, bd, ct = struct.unpack('>IIBB', body[:10])
    if t == b'IDAT': idat += body
raw = zlib.decompress(idat); bpp = {2: 3, 6: 4}[ct]; stride = w * bpp
prev = bytearray(stride); ink = 0; p = 0
for y in range(h):
    f = raw[p]; line = bytearray(raw[p+1:p+1+stride]); p += 1 + stride
    for x in range(stride):
        a = line[x-bpp] if x >= bpp else 0; b = prev[x]; c = prev[x-bpp] if x >= bpp else 0
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    ink += sum(1 for x in range(0, stride, bpp) if min(line[x:x+3]) < 200)
    prev = line
print(ink)
"#;
    let o = Command::new("python3")
        .args(["-c", script])
        .arg(png)
        .output()
        .expect("python3");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).trim().parse().unwrap()
}

#[test]
fn the_lost_write_is_drawn_and_rendered_by_a_browser() {
    let Some(b) = chromium() else { return };
    let page = tmp("lost.html");
    let itf = tmp("lost.itf.json");
    // The symbolic engine's trace (the README's picture); the explicit
    // engine finds another shortest one.
    let o = bmc(&[
        "--engine",
        "symbolic",
        "--replicas",
        "4",
        "--inv",
        "Consistent",
        "--depth",
        "12",
        "-q",
        "--html",
        page.to_str().unwrap(),
        "--itf",
        itf.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(12));
    let dom = browser(b, &["--dump-dom"], &page);
    let dom = String::from_utf8_lossy(&dom.stdout);
    // One event per step, one lane per actor (2 clients, 4 replicas,
    // ZooKeeper, the healer), the conjunct, the lost write marked.
    assert_eq!(dom.matches("class=\"event").count(), 10, "{dom}");
    assert_eq!(dom.matches("class=\"lane\"").count(), 8);
    assert!(
        dom.contains("Len(client_success[c1]) &lt;= Len(db[zk_leader])"),
        "{dom}"
    );
    assert!(dom.contains("class=\"broken\""));
    assert!(dom.contains("acknowledged 61, not in r"), "{dom}");
    // The script ran: the side panel shows the last state.
    assert!(dom.contains("State 11: &lt;DBResponse(c1)&gt;"), "{dom}");
    let png = tmp("lost.png");
    let shot = browser(
        b,
        &[
            "--window-size=1600,1000",
            &format!("--screenshot={}", png.display()),
        ],
        &page,
    );
    assert!(png.exists(), "{}", String::from_utf8_lossy(&shot.stderr));
    let ink = inked_pixels(&png);
    assert!(
        ink > 20_000,
        "the screenshot is nearly blank: {ink} inked pixels"
    );
    // `bmc view` draws the same trace from its ITF file.
    let viewed = tmp("viewed.html");
    let v = bmc(&[
        "view",
        itf.to_str().unwrap(),
        "--html",
        viewed.to_str().unwrap(),
    ]);
    assert_eq!(
        v.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&v.stderr)
    );
    let data = |p: &Path| {
        let t = std::fs::read_to_string(p).unwrap();
        let i = t.find("const DATA=").unwrap();
        t[i..].split(";function").next().unwrap().to_string()
    };
    assert_eq!(
        data(&viewed),
        data(&page),
        "the ITF round trip changed a state"
    );
    let vdom = browser(b, &["--dump-dom"], &viewed);
    assert_eq!(
        String::from_utf8_lossy(&vdom.stdout)
            .matches("class=\"event")
            .count(),
        10
    );
}

#[test]
fn view_rejects_what_is_not_an_itf_trace() {
    let bad = tmp("bad.json");
    std::fs::write(&bad, "{\"states\": [{\"x\": 1}]}").unwrap();
    let o = bmc(&[
        "view",
        bad.to_str().unwrap(),
        "--html",
        tmp("bad.html").to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("not an ITF trace of SemiSync"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}
