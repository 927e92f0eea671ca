//! The output modifiers: `.columns`, `.filter`, and the flag builtins
//! (`.json`, `.csv`, `.headers`, `.annotate`, `.sort`, `.compress`,
//! `.record`, `.preprocess`), alone (daemon-wide) or with a command; and
//! `.alias`/`.unalias` (the daemon's aliases, expanded in every line).
use super::super::table::Dispatch::{self, *};
use super::super::table::Failure;
use minimega_protocol::WireResponse;

use super::super::{Batch, Ctx, MatchedCommand, ReadScript, World};
use super::{fixed, word};
use crate::render::{Flags, Mode};

pub(super) fn entries() -> Vec<(String, Dispatch)> {
    let mut entries = fixed([
        (".columns <columns as csv> (command)", Whole(columns)),
        (".filter <filter> (command)", Whole(filter)),
        (".alias", Simple(alias)),
        (".alias <alias>...", Simple(alias)),
        (".unalias <alias>", Simple(unalias)),
    ]);
    for builtin in minimega_spec::daemon_wide::FLAG_BUILTINS {
        entries.push((format!("{builtin} [true,false]"), Whole(flag)));
        entries.push((
            format!("{builtin} <true,false> (command)"),
            Whole(flag_command),
        ));
    }
    entries
}

/// How `.columns` and `.filter` find a column: its exact name, else the one
/// name it starts.
fn find_column(header: &[String], column: &str) -> Result<usize, String> {
    if let Some(exact) = header.iter().position(|h| h.to_lowercase() == column) {
        return Ok(exact);
    }
    let mut found = None;
    for (i, h) in header.iter().enumerate() {
        if h.to_lowercase().starts_with(column) {
            if found.is_some() {
                return Err(format!("ambiguous column `{column}`"));
            }
            found = Some(i);
        }
    }
    found.ok_or_else(|| format!("no such column `{column}`"))
}

/// `.columns <names> (command)`: only those columns of each table, in that
/// order.
pub(crate) fn columns(
    world: &mut World,
    ctx: &Ctx,
    cmd: &MatchedCommand,
    script: Option<&ReadScript>,
) -> Vec<Batch> {
    let mut wanted: Vec<String> = cmd
        .m
        .value("columns")
        .unwrap_or_default()
        .split(',')
        .map(str::to_owned)
        .collect();
    let Some(sub) = &cmd.sub else {
        return world.ok(ctx);
    };
    let mut out = Vec::new();
    'batches: for mut batch in world.dispatch(ctx, sub, script) {
        for r in &mut batch.responses {
            let Some(header) = &r.header else { continue };
            let Some(rows) = &r.tabular else {
                r.header = Some(wanted.clone());
                continue;
            };
            let mut picked = Vec::new();
            for name in &mut wanted {
                match find_column(header, name) {
                    Ok(i) => {
                        *name = header[i].clone();
                        picked.push(i);
                    }
                    Err(error) => {
                        out.extend(world.fail(ctx, error));
                        continue 'batches;
                    }
                }
            }
            r.tabular = Some(
                rows.iter()
                    .map(|row| {
                        picked
                            .iter()
                            .map(|&i| row.get(i).cloned().unwrap_or_default())
                            .collect()
                    })
                    .collect(),
            );
            r.header = Some(wanted.clone());
        }
        out.push(batch);
    }
    out
}

/// A `.filter` term: `col=value`, `col!=value`, `col~part`, `col!~part`.
struct Filter {
    column: String,
    value: String,
    negate: bool,
    fuzzy: bool,
}

impl Filter {
    fn parse(term: &str) -> Option<Filter> {
        for (separator, negate, fuzzy) in [
            ("!~", true, true),
            ("~", false, true),
            ("!=", true, false),
            ("=", false, false),
        ] {
            let parts: Vec<&str> = term.split(separator).collect();
            if let [column, value] = parts.as_slice() {
                return Some(Filter {
                    column: column.to_lowercase(),
                    value: value.to_lowercase(),
                    negate,
                    fuzzy,
                });
            }
        }
        None
    }

    fn matches(&self, cell: &str) -> bool {
        let cell = cell.to_lowercase();
        let listy = (cell.starts_with('[') && cell.ends_with(']'))
            || (cell.starts_with('{') && cell.ends_with('}'));
        let hit = cell == self.value || ((self.fuzzy || listy) && cell.contains(&self.value));
        hit != self.negate
    }
}

/// `.filter <term> (command)`: only the rows (or hosts, for `host`) that
/// match.
pub(crate) fn filter(
    world: &mut World,
    ctx: &Ctx,
    cmd: &MatchedCommand,
    script: Option<&ReadScript>,
) -> Vec<Batch> {
    let Some(filter) = Filter::parse(cmd.m.value("filter").unwrap_or_default()) else {
        return world.fail(ctx, "invalid filter, see help".to_owned());
    };
    let Some(sub) = &cmd.sub else {
        return world.ok(ctx);
    };
    let mut out = Vec::new();
    'batches: for batch in world.dispatch(ctx, sub, script) {
        let mut kept = Vec::new();
        for mut r in batch.responses {
            if filter.column == "host" {
                if filter.matches(&r.host) {
                    kept.push(r);
                }
                continue;
            }
            let (Some(header), Some(rows)) = (&r.header, &mut r.tabular) else {
                kept.push(r);
                continue;
            };
            let column = match find_column(header, &filter.column) {
                Ok(column) => column,
                Err(error) => {
                    out.extend(world.fail(ctx, error));
                    continue 'batches;
                }
            };
            rows.retain(|row| row.get(column).is_some_and(|cell| filter.matches(cell)));
            kept.push(r);
        }
        out.push(Batch {
            responses: kept,
            flags: batch.flags,
        });
    }
    out
}

/// The flag a `.csv`, `.json`, `.headers` … command is about.
fn flag_word(world: &World, cmd: &MatchedCommand) -> String {
    word(world, cmd, 0)
}

/// Sets one output flag in `flags` (`.record` changes nothing the mock
/// keeps).
fn set_flag(flags: &mut Flags, flag: &str, on: bool) {
    match flag {
        ".annotate" => flags.annotate = on,
        ".compress" => flags.compress = on,
        ".headers" => flags.headers = on,
        ".sort" => flags.sort = on,
        ".preprocess" => flags.preprocess = on,
        ".record" => flags.record = on,
        ".csv" | ".json" => {
            let mode = if flag == ".csv" {
                Mode::Csv
            } else {
                Mode::Json
            };
            if on {
                flags.mode = mode;
            } else if flags.mode == mode {
                flags.mode = Mode::Plain;
            }
        }
        _ => {}
    }
}

fn read_flag(flags: &Flags, flag: &str) -> bool {
    match flag {
        ".annotate" => flags.annotate,
        ".compress" => flags.compress,
        ".headers" => flags.headers,
        ".sort" => flags.sort,
        ".preprocess" => flags.preprocess,
        ".record" => flags.record,
        ".csv" => flags.mode == Mode::Csv,
        ".json" => flags.mode == Mode::Json,
        _ => true,
    }
}

/// `.annotate [true,false]` and the like alone: the daemon-wide setting,
/// read or set.
pub(crate) fn flag(
    world: &mut World,
    ctx: &Ctx,
    cmd: &MatchedCommand,
    _: Option<&ReadScript>,
) -> Vec<Batch> {
    let flag = flag_word(world, cmd);
    let mut batches = world.ok(ctx);
    if cmd.m.choices.is_empty() {
        batches[0].responses[0].response = read_flag(&world.flags, &flag).to_string();
    } else {
        set_flag(&mut world.flags, &flag, cmd.m.chose("true"));
    }
    batches
}

/// `.annotate <true,false> (command)` and the like: the command, rendered
/// with that flag.
pub(crate) fn flag_command(
    world: &mut World,
    ctx: &Ctx,
    cmd: &MatchedCommand,
    script: Option<&ReadScript>,
) -> Vec<Batch> {
    let flag = flag_word(world, cmd);
    let on = cmd.m.chose("true");
    let Some(sub) = &cmd.sub else {
        return world.ok(ctx);
    };
    let inner = Ctx {
        preprocess: if flag == ".preprocess" {
            on
        } else {
            ctx.preprocess
        },
        ..ctx.clone()
    };
    let mode = flag == ".csv" || flag == ".json";
    let defaults = world.flags;
    world
        .dispatch(&inner, sub, script)
        .into_iter()
        // minimega drops the empty answers of `.csv` and `.json`.
        .filter(|batch| !(mode && batch.responses.is_empty()))
        .map(|mut batch| {
            if !batch.responses.is_empty() {
                let mut flags = batch.flags.unwrap_or(defaults);
                set_flag(&mut flags, &flag, on);
                batch.flags = Some(flags);
            }
            batch
        })
        .collect()
}

/// `.alias`: the aliases; `.alias name=expansion`: sets one.
fn alias(
    world: &mut World,
    _: &Ctx,
    cmd: &MatchedCommand,
    r: &mut WireResponse,
) -> Result<(), Failure> {
    let text = cmd.m.list("alias").join(" ");
    if text.is_empty() {
        r.header = Some(vec!["alias".to_owned(), "expansion".to_owned()]);
        // A Go slice appended to from nil: null when there are none.
        r.tabular = (!world.aliases.is_empty()).then(|| {
            world
                .aliases
                .iter()
                .map(|(k, v)| vec![k.clone(), v.clone()])
                .collect()
        });
        return Ok(());
    }
    match text.split_once('=') {
        Some((name, expansion)) => {
            world.aliases.insert(name.to_owned(), expansion.to_owned());
            Ok(())
        }
        None => Err("expected alias of format `alias=expansion`".into()),
    }
}

/// `.unalias <name>`: gone, if it was there.
fn unalias(
    world: &mut World,
    _: &Ctx,
    cmd: &MatchedCommand,
    _: &mut WireResponse,
) -> Result<(), Failure> {
    world
        .aliases
        .remove(cmd.m.value("alias").unwrap_or_default());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_and_columns_like_minicli() {
        let f = Filter::parse("state=RUNNING").unwrap();
        assert!(f.matches("running") && !f.matches("paused"));
        let f = Filter::parse("name!~b").unwrap();
        assert!(f.matches("a") && !f.matches("abc"));
        assert!(Filter::parse("bogus").is_none());
        let listy = Filter::parse("vlan=10").unwrap();
        assert!(listy.matches("[100]"), "lists match by substring");
        let header: Vec<String> = ["name", "state", "namespace"].map(String::from).to_vec();
        assert_eq!(find_column(&header, "stat"), Ok(1));
        assert_eq!(find_column(&header, "name"), Ok(0));
        assert_eq!(
            find_column(&header, "na"),
            Err("ambiguous column `na`".to_owned())
        );
        assert_eq!(
            find_column(&header, "x"),
            Err("no such column `x`".to_owned())
        );
    }
}
