//! The serde model of the JSON that `minimega -cli` prints.
//!
//! The model keeps every field, so that a spec read and written again is the
//! same document; the grammar of the `patterns` strings lives in
//! [`crate::pattern`].

use serde::{Deserialize, Serialize};

/// One handler of minimega's CLI: a group of patterns served by one function.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RawHandler {
    /// A one-line summary of the command.
    #[serde(default)]
    pub help_short: String,
    /// The full description of the command.
    #[serde(default)]
    pub help_long: String,
    /// The patterns, in minicli's pattern grammar.
    pub patterns: Vec<String>,
    /// The literal words every pattern starts with, as minicli computed them.
    #[serde(default)]
    pub shared_prefix: String,
    /// minicli's own parse of `patterns`; informative only.
    #[serde(default)]
    pub parsed_patterns: Vec<Vec<RawItem>>,
}

/// One item of minicli's own pattern parse, as it appears in `parsed_patterns`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RawItem {
    /// A bit set: 1 optional, 2 literal, 4 nested command, 8 string, 16
    /// choice, 32 list.
    #[serde(rename = "type")]
    pub kind: u32,
    /// The argument's key, the first word between the brackets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// The item's text as written in the pattern, without brackets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// The options of a multiple-choice item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<Vec<String>>,
}

impl RawItem {
    /// Bit of [`RawItem::kind`]: the item may be left out.
    pub const OPTIONAL: u32 = 1;
    /// Bit of [`RawItem::kind`]: a literal word.
    pub const LITERAL: u32 = 2;
    /// Bit of [`RawItem::kind`]: a nested command.
    pub const COMMAND: u32 = 4;
    /// Bit of [`RawItem::kind`]: a free string.
    pub const STRING: u32 = 8;
    /// Bit of [`RawItem::kind`]: a multiple choice.
    pub const CHOICE: u32 = 16;
    /// Bit of [`RawItem::kind`]: a list of strings.
    pub const LIST: u32 = 32;
}
