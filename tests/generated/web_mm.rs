/// `tests/scripts/web.mm`, one typed call per line (written by `minimega-check --to-rust`).
pub fn web(
    mm: &mut ::minimega::runtime::Client,
) -> ::core::result::Result<(), ::minimega::runtime::Error> {
    use ::minimega::prelude::*;
    // line 2: vm config memory 2048
    mm.vm().config().memory("2048").run()?;
    // line 3: vm config tags role web
    mm.vm().config().tags("role", "web").run()?;
    // line 4: vm launch kvm web[1-2]
    mm.vm().launch().kvm("web[1-2]").run()?;
    // line 6: vm start all
    mm.vm().start("all").run()?;
    // line 7: .columns name,state vm info   # what the test reads
    mm.columns("name,state", Cmd.vm().info()).run()?;
    Ok(())
}
