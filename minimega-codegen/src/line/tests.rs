//! The line macro's logic on the shipped spec and on small ones.

use super::*;
use crate::api_map::chains;

fn api() -> &'static LineApi {
    LineApi::shipped()
}

fn rust(line: &str) -> String {
    rust_text(api(), line).unwrap_or_else(|e| panic!("{line}: {e}"))
}

fn error(line: &str) -> String {
    rust_text(api(), line).unwrap_err().message
}

#[test]
fn a_line_becomes_the_builder_calls() {
    assert_eq!(rust("vm launch kvm 5"), r#"Cmd.vm().launch().kvm("5")"#);
    assert_eq!(
        rust("vm lau kvm 5 web"),
        r#"Cmd.vm().launch().kvm("5").config("web")"#
    );
    assert_eq!(
        rust("vm config memory"),
        "Cmd.vm().config().memory_current()"
    );
    assert_eq!(rust("vm flush"), "Cmd.vm().flush()");
    assert_eq!(rust("vm flush a"), r#"Cmd.vm().flush_vm("a")"#);
    assert_eq!(
        rust("vm config memory 2048"),
        r#"Cmd.vm().config().memory("2048")"#
    );
    assert_eq!(
        rust("mesh send all vm info"),
        r#"Cmd.mesh().send("all", Cmd.vm().info())"#
    );
    assert_eq!(
        rust(".json true vm info"),
        "Cmd.json(true, Cmd.vm().info())"
    );
    assert_eq!(rust("cc exec ls -l"), r#"Cmd.cc().exec(["ls", "-l"])"#);
    assert_eq!(
        rust(r#"cc exec "uname -a""#),
        r#"Cmd.cc().exec("uname -a")"#
    );
}

#[test]
fn placeholders_are_values() {
    assert_eq!(
        rust("vm launch kvm {count}"),
        "Cmd.vm().launch().kvm(count)"
    );
    assert_eq!(
        rust("vm launch kvm {n + 1}"),
        "Cmd.vm().launch().kvm(n + 1)"
    );
    assert_eq!(
        rust("cc exec ls {dir}"),
        r#"Cmd.cc().exec([:: minimega :: runtime :: ArgValue :: of("ls"), :: minimega :: runtime :: ArgValue :: of(dir)])"#
    );
    assert_eq!(rust("echo {{braces}}"), r#"Cmd.echo_args("{braces}")"#);
    // A `true,false` choice takes a placeholder as the method's `bool`.
    assert_eq!(rust(".json {on} vm info"), "Cmd.json(on, Cmd.vm().info())");
    assert_eq!(
        rust(".csv {a} .headers {b} vm info"),
        "Cmd.csv(a, Cmd.headers(b, Cmd.vm().info()))"
    );
}

#[test]
fn mistakes_name_the_word_and_the_way_on() {
    let message = error("vm lunch kvm 5");
    assert!(
        message.starts_with("unknown word `lunch` after `vm`\n  vm lunch kvm 5\n     ^^^^^\n  = help: did you mean `launch`?"),
        "{message}"
    );
    let message = error("vm {what}");
    assert!(
        message.starts_with("a placeholder stands for a value, and only a word fits after `vm`\n  vm {what}\n     ^^^^^^"),
        "{message}"
    );
    let message = error("vm launch kvm");
    assert!(
        message.contains("= help: it needs `<name or count>`"),
        "{message}"
    );
    let message = error("log level verbose");
    assert!(
        message.contains("`debug`, `info`, `warn`, `error` or `fatal`"),
        "{message}"
    );
    let message = error("vm launch kvm web-{n}");
    assert!(
        message.starts_with("a placeholder stands for a whole argument"),
        "{message}"
    );
    let message = error("namespace foo");
    assert!(
        message.contains("switches the active namespace for every client"),
        "{message}"
    );
    let message = error(".json {on}");
    assert!(
        message.contains("changes the flag's default for every client"),
        "{message}"
    );
    let message = error("vm config {on}");
    assert!(message.contains("only a word fits"), "{message}");
    let message = error("vm info # {x}");
    assert!(
        message.starts_with("this placeholder is in a comment"),
        "{message}"
    );
    let message = error("vm launch kvm {}");
    assert!(
        message.starts_with("1 `{}` placeholder but 0 arguments"),
        "{message}"
    );
    let message = error("mesh send all vm");
    assert!(
        message.starts_with("`mesh send all vm` is not a whole command"),
        "{message}"
    );
}

#[test]
#[ignore = "prints timings"]
fn timings() {
    let t = std::time::Instant::now();
    let spec = minimega_spec::shipped().clone();
    eprintln!("spec clone {:?}", t.elapsed());
    let t = std::time::Instant::now();
    let api = Api::new(&spec);
    eprintln!("api {:?}", t.elapsed());
    let t = std::time::Instant::now();
    let _ = chains(&api);
    eprintln!("chains {:?}", t.elapsed());
    let t = std::time::Instant::now();
    let line_api = LineApi::new(spec.clone());
    eprintln!("line api {:?}", t.elapsed());
    let t = std::time::Instant::now();
    let named = Api::without_docs(&spec);
    eprintln!("api without docs {:?}", t.elapsed());
    let text = line_api.table_text().unwrap();
    let t = std::time::Instant::now();
    let _ = LineApi::from_table(&text).unwrap();
    eprintln!("line api from its table {:?}", t.elapsed());
    let lines: Vec<String> = chains(&named)
        .iter()
        .map(|(_, chain)| crate::api_map::line_and_call(chain).0)
        .collect();
    let input = |text: &str| LineInput {
        text: text.to_owned(),
        positional: Vec::new(),
        target: None,
        commands: Some(&["minimega", "api", "Commands"]),
        span: Span::call_site(),
    };
    for _ in 0..3 {
        let t = std::time::Instant::now();
        for line in &lines {
            expand(&line_api, &input(line)).unwrap();
        }
        eprintln!("{} lines {:?}", lines.len(), t.elapsed());
    }
    let texts: Vec<Vec<String>> = lines.iter().map(|l| input::lex(l).unwrap()).collect();
    let t = std::time::Instant::now();
    for tokens in &texts {
        line_api.spec.compile_tokens(tokens).unwrap();
    }
    eprintln!("their matches alone {:?}", t.elapsed());
}

#[test]
fn a_script_as_rust() {
    let rust = script_to_rust(
        api(),
        "lab",
        "lab.mm",
        "# lab\nvm launch kvm 2\n.alias vmr=vm info\nvmr\nnamespace lab\necho {x}\n",
    );
    for want in [
        "pub fn lab(\n    mm: &mut ::minimega::runtime::Client,\n)",
        "    // line 2: vm launch kvm 2\n    mm.vm().launch().kvm(\"2\").run()?;",
        "    // line 4: vmr\n    {\n        // not typed: unknown command `vmr`\n        mm.raw_unchecked(\"vmr\")?.run()?;",
        "// not typed: `namespace [name]` switches the active namespace for every client",
        "mm.echo_args(\"{x}\").run()?;",
    ] {
        assert!(rust.contains(want), "{want}\n---\n{rust}");
    }
    syn::parse_file(&rust).expect("it parses as Rust");
}

proptest::proptest! {
    #[test]
    fn any_template_expands_or_says_why(text in r#"[ a-z.#"'\\{}0-9é]{0,24}"#) {
        let _ = rust_text(api(), &text);
    }
}

#[test]
fn another_spec_has_its_own_lines() {
    let api =
        LineApi::from_json(r#"[{"patterns": ["frob <count>"]}, {"patterns": ["echo [args]..."]}]"#)
            .unwrap();
    assert_eq!(rust_text(&api, "frob 3").unwrap(), r#"Cmd.frob("3")"#);
    let message = rust_text(&api, "vm info").unwrap_err().message;
    assert!(message.starts_with("unknown command `vm`"), "{message}");
    let cached = LineApi::cached(r#"[{"patterns": ["frob <count>"]}]"#).unwrap();
    let again = LineApi::cached(r#"[{"patterns": ["frob <count>"]}]"#).unwrap();
    assert!(Arc::ptr_eq(&cached, &again), "one API per spec text");
}

#[test]
fn every_form_through_a_line_is_the_builder_chain() {
    let api = api();
    let named = Api::without_docs(api.spec());
    let mut checked = 0;
    for (form, chain) in chains(&named) {
        let (line, want) = crate::api_map::line_and_call(&chain);
        let got = rust_text(api, &line)
            .unwrap_or_else(|e| panic!("{}: `{line}`: {e}", api.spec.pattern(form.id).text));
        assert_eq!(got, want, "{line}");
        checked += 1;
    }
    assert!(checked > 500, "{checked}");
}

#[test]
fn the_table_read_back_is_the_api() {
    let shipped = api();
    let text = shipped
        .table_text()
        .expect("minimega's words have no whitespace");
    let baked = LineApi::from_table(&text).unwrap();
    assert_eq!(baked.table, shipped.table);
    assert!(
        shipped.table.chains.len() > 500,
        "{}",
        shipped.table.chains.len()
    );
    assert_eq!(baked.spec().handlers(), shipped.spec().handlers());
    assert_eq!(
        baked.spec().version(),
        Some(minimega_spec::MINIMEGA_VERSION)
    );
    // Every kind of parameter, and help with what must be escaped.
    let odd = LineApi::from_json(
        r#"[{"patterns": ["frob <count>"], "help_short": "a\\b\r\nc", "help_long": "\\n"}]"#,
    )
    .unwrap();
    for kind in table::KINDS {
        let mut table = odd.table.clone();
        table.methods[0].pushes.push(TablePush::Param(kind));
        let text = table.to_text(odd.spec()).unwrap();
        let (spec, read) = LineTable::from_text(&text).unwrap();
        assert_eq!(read, table);
        assert_eq!(spec.handlers(), odd.spec().handlers());
    }
}

#[test]
fn a_damaged_table_is_refused() {
    let text = api().table_text().unwrap();
    let refused = |text: &str| LineApi::from_table(text).unwrap_err().to_string();
    assert_eq!(
        refused(&text.replacen("table 1", "table 0", 1)),
        "line 1: expected `minimega line table 1`"
    );
    let last = text.lines().count();
    assert_eq!(
        refused(&format!("{text}c 9999 0 full 0\n")),
        format!(
            "line {}: pattern 0 of handler 9999 is not in the spec",
            last + 1
        )
    );
    let header = "minimega line table 1\n";
    assert_eq!(
        refused(&format!("{header}h vm\np vm\nm vm\nc 0 0 full 1\n")),
        "line 5: no method `1`"
    );
    assert_eq!(
        refused(&format!("{header}m vm =vm bogus\n")),
        "line 2: unknown push `bogus`"
    );
    assert_eq!(
        refused(&format!("{header}p vm\n")),
        "line 2: `p` before the first handler (`h`)"
    );
    assert!(
        refused(&format!("{header}h vm\np vm <\n")).starts_with("line 0: its spec: "),
        "a pattern minicli rejects"
    );
    // A word with whitespace cannot be written.
    let odd = LineTable {
        methods: vec![TableMethod {
            name: "odd".to_owned(),
            pushes: vec![TablePush::Word("two words".to_owned())],
        }],
        chains: Vec::new(),
    };
    assert_eq!(odd.to_text(api().spec()), None);
}
