//! `bucket-gallery rm NAME...`: deletes photos by their names in the bucket, with
//! everything derived from them (copies, facts, the mark of their bytes), as the
//! gallery's Delete does. Asks first on a terminal; `--yes` for scripts, where
//! there is nobody to ask.

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

use crate::error::Error;
use crate::names::ObjectName;
use crate::state::Parts;

#[derive(Debug, Clone, clap::Args)]
#[command(after_help = "Examples:\n  \
    bucket-gallery rm beach-01jd2x5e9q8z7y6w5v4t3s2r1p.jpg\n  \
    bucket-gallery ls --json | jq -r '.[] | select(.size < 1000) | .name' | xargs bucket-gallery rm --yes")]
pub struct RemoveArgs {
    /// The photos' names in the bucket, as `ls` shows them.
    #[arg(required = true)]
    pub names: Vec<String>,
    /// Delete without asking.
    #[arg(long, short = 'y')]
    pub yes: bool,
}

pub async fn run(parts: &Parts, args: RemoveArgs) -> ExitCode {
    let count = args.names.len();
    if !args.yes {
        if !std::io::stdin().is_terminal() {
            eprintln!("bucket-gallery: rm asks before deleting, and there is no terminal to ask: pass --yes");
            return ExitCode::from(2);
        }
        print!(
            "Delete {count} photo{} for good? [y/N] ",
            if count == 1 { "" } else { "s" }
        );
        let _ = std::io::stdout().flush();
        let mut answer = String::new();
        let _ = std::io::stdin().lock().read_line(&mut answer);
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            println!("Nothing deleted.");
            return ExitCode::SUCCESS;
        }
    }
    let mut failed = 0;
    for name in &args.names {
        match remove_one(parts, name).await {
            Ok(()) => println!("deleted {name}"),
            Err(error) => {
                failed += 1;
                eprintln!("{name}: {error}");
            }
        }
    }
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

async fn remove_one(parts: &Parts, name: &str) -> Result<(), Error> {
    let object = ObjectName::parse(name)
        .ok()
        .filter(|object| !object.is_hidden())
        .ok_or_else(|| Error::NotFound(name.to_owned()))?;
    // Not there is an error here: a mistyped name should not pass in silence.
    parts.bucket.head(&object).await?;
    parts.bucket.delete(&object).await?;
    // Running servers on the bucket leave it out at once.
    parts.catalog.removed(&object).await;
    parts.photos.forget(&object).await
}
