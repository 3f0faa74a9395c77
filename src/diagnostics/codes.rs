//! Every code the engine's diagnostics carry, with what it means and, for the codes a
//! policy can cause, a small policy that causes it (checked by a test, so the examples
//! cannot drift). `tenet explain CODE` prints these; the applications add their own.

/// What a diagnostic code means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Explanation {
    /// The code, as diagnostics carry it (`unknown-name`).
    pub code: &'static str,
    /// Error or warning, or both (`holiday-file` can be either).
    pub severity: &'static str,
    /// What it means, in Chinese.
    pub zh: &'static str,
    /// What it means, in English.
    pub en: &'static str,
    /// A policy (declarations after the header) that causes it, when a policy can.
    pub example: Option<&'static str>,
}

const fn e(code: &'static str, zh: &'static str, en: &'static str, example: Option<&'static str>) -> Explanation {
    Explanation { code, severity: "error", zh, en, example }
}

const fn w(code: &'static str, zh: &'static str, en: &'static str, example: Option<&'static str>) -> Explanation {
    Explanation { code, severity: "warning", zh, en, example }
}

/// Declares each code once: a constant named after it (`UNKNOWN_NAME` for
/// `unknown-name`), which is what a diagnostic is made with, and its row in [`CODES`].
macro_rules! codes {
    ($($name:ident = $kind:ident($code:literal, $($rest:expr),* $(,)?)),* $(,)?) => {
        $(
            #[doc = concat!("`", $code, "`")]
            pub const $name: &str = $code;
        )*
        /// The engine's codes, sorted.
        pub const CODES: &[Explanation] = &[$($kind($name, $($rest),*)),*];
    };
}

const fn ew(code: &'static str, zh: &'static str, en: &'static str, example: Option<&'static str>) -> Explanation {
    Explanation { code, severity: "error or warning", zh, en, example }
}

codes! {
    ASSIGN_IN_CONDITION = e(
        "assign-in-condition",
        "比较要写 `==`，`=` 不是比较运算符。",
        "A comparison is written `==`; `=` compares nothing.",
        Some("input { a: int }\nrule \"r\" when a = 1 flag A"),
    ),
    BAD_ARGUMENTS = e(
        "bad-arguments",
        "函数的参数个数或形式不对。",
        "A function got the wrong number or shape of arguments.",
        Some("input { a: int }\noutput x = abs(a, a)"),
    ),
    BAD_DURATION = e(
        "bad-duration",
        "时长必须是整秒数，并且不能过大。",
        "A duration must be a whole number of seconds and not too large.",
        Some("const d = 1.5 seconds"),
    ),
    BAD_ESCAPE = e(
        "bad-escape",
        "文本里的转义无效，例如超出范围的 \\u{…}；可用 \\\\、\\\"、\\n、\\t、\\u{…}，大括号写作 {{ 和 }}。",
        "An escape in a text is not valid, such as \\u{…} out of range; use \\\\, \\\", \\n, \\t, \\u{…}, and {{ }} for braces.",
        Some("const t = \"\\u{110000}\""),
    ),
    BAD_HIT_POLICY = e(
        "bad-hit-policy",
        "这种表的结果不能按所写的方式汇总（例如文本不能求和）。",
        "The table's results cannot be aggregated the way its hit policy says (texts cannot be summed).",
        Some("table t(x: int) -> text hit collect sum {\n  1 => \"a\",\n}\noutput o = t(1)"),
    ),
    BAD_HOURS = e(
        "bad-hours",
        "工作时间段的结束不晚于开始，或时刻无效。",
        "A working-hours range does not end after it starts, or a time of day is invalid.",
        Some("calendar c {\n  mon 18:00-09:00\n}"),
    ),
    BAD_LITERAL = e(
        "bad-literal",
        "日期、日期时间或数字的写法无效。",
        "A date, datetime or number literal is not valid.",
        Some("const d = 2026-02-30"),
    ),
    BAD_PATTERN = e(
        "bad-pattern",
        "matches 的正则表达式无效，或编译后超过大小上限。",
        "A `matches` pattern is not a valid regular expression, or compiles larger than the limit.",
        Some("input { t: text }\noutput x = matches(t, \"(\")"),
    ),
    BAD_TOTAL = e(
        "bad-total",
        "`total` 的参数必须是账本名。",
        "The argument of `total` must be a ledger's name.",
        Some("ledger l\noutput x = total(1)"),
    ),
    CALENDAR_COVERAGE = w(
        "calendar-coverage",
        "时钟跨过了日历的节假日文件没有描述的年份：那一年的节假日按普通工作日计算。",
        "A clock ran through a year the calendar's holiday files do not describe: that year's holidays counted as working days.",
        None,
    ),
    CALENDAR_DURATION = e(
        "calendar-duration",
        "按日历计算的时长（`2 business days`）只能加在日期时间上，或用于流程的期限和进入动作。",
        "A duration counted on a calendar (`2 business days`) can only be added to a datetime, or used in a workflow's deadline or entry.",
        Some("calendar biz {\n  mon..fri 09:00-18:00\n}\nconst w = 2 biz days"),
    ),
    CHAINED_COMPARISON = e(
        "chained-comparison",
        "比较不能连写（`a < b < c`）；用 `and` 连接两个比较。",
        "Comparisons cannot be chained (`a < b < c`); join two comparisons with `and`.",
        Some("input { a: int }\nrule \"r\" when 1 < a < 3 flag A"),
    ),
    CONST_NOT_CONSTANT = e(
        "const-not-constant",
        "常量只能由字面量和其他常量计算，不能读事实或计算值。",
        "A const is computed from literals and other consts only, never from facts or values.",
        Some("input { a: int }\nconst c = a + 1"),
    ),
    CONSTANT_FAULT = e(
        "constant-fault",
        "常量在加载策略时无法计算（例如溢出或除以零）。",
        "A const cannot be computed when the policy loads (an overflow, a division by zero).",
        Some("const c = 1 / 0"),
    ),
    CSV_TABLE = e(
        "csv-table",
        "表格的 CSV 文件有问题：无法读取、列名与参数不符、一行的列数不对，或单元格不是值（CSV 只放值，不放计算或名称）。",
        "A table's CSV file cannot be read, its header does not name the parameters, a line has the wrong number of columns, or a cell is not a value (a CSV holds values, not calculations or names).",
        Some("table rates(kg: int) -> int from \"no-such-file.csv\""),
    ),
    CYCLE = e(
        "cycle",
        "一个值（或表）直接或间接地依赖它自己。",
        "A value (or table) depends on itself, directly or through others.",
        Some("let a = b + 1\nlet b = a + 1\noutput o = a"),
    ),
    DEAD_END_STAGE = e(
        "dead-end-stage",
        "流程中的阶段没有出口，却不是终止阶段。",
        "A workflow stage has no way out but is not declared final.",
        Some(
            "workflow w {\n  stages a, b, c\n  initial a\n  final c\n  events go, stop\n  a -> b on go\n  a -> c on stop\n}",
        ),
    ),
    DEADLINE_BY = e(
        "deadline-by",
        "`deadline 阶段 by 名字` 的名字须是计算日期时间的 let 或 output。",
        "In `deadline STAGE by NAME`, NAME must be a let or output that computes a datetime.",
        Some(
            "let due_in = 3 days\nworkflow w {\n  stages a, b\n  initial a\n  final b\n  events go\n  a -> b on go\n  deadline a by due_in\n}",
        ),
    ),
    DEADLINE_ON_FINAL = e(
        "deadline-on-final",
        "终止阶段永远不会离开，给它设期限没有意义。",
        "A final stage is never left, so a deadline on it could never be met.",
        Some(
            "workflow w {\n  stages a, b\n  initial a\n  final b\n  events go\n  a -> b on go\n  deadline b within 1 days of entering\n}",
        ),
    ),
    DECIDED_TOO_LATE = e(
        "decided-too-late",
        "读取决定或账本合计的规则在决定之后运行，只能标记（flag）或发出动作（emit）。",
        "A rule that reads the decision or a ledger total runs after the decision, so it can only flag or emit.",
        Some("rule \"r\" when decision == \"approved\" reject NO \"不行\""),
    ),
    DUPLICATE_CAP = e(
        "duplicate-cap",
        "一个账本只能有一个上限。",
        "A ledger can have one cap only.",
        Some("ledger l\ncap l at 10\ncap l at 20\noutput t = total(l)"),
    ),
    DUPLICATE_CODE = e(
        "duplicate-code",
        "同一个结果代码被两个不同的结果使用。",
        "One outcome code is used by two different outcomes.",
        Some(
            "input { a: int }\nrule \"r1\" when a > 1 reject CODE \"太大\"\nrule \"r2\" when a > 2 require CODE \"请说明\"",
        ),
    ),
    DUPLICATE_DECLARATION = e(
        "duplicate-declaration",
        "这个声明（如 timezone、currency、stages、input）只能出现一次。",
        "This declaration (timezone, currency, stages, input) can appear only once.",
        Some("timezone \"UTC\""),
    ),
    DUPLICATE_ENUM_VALUE = w(
        "duplicate-enum-value",
        "枚举中同一个值写了两次。",
        "An enumeration lists the same value twice.",
        Some("input { a: \"x\" | \"x\" }\nrule \"r\" when a == \"x\" flag A"),
    ),
    DUPLICATE_FIELD = e(
        "duplicate-field",
        "记录中同一个字段写了两次。",
        "A record names the same field twice.",
        Some("output o = { a: 1, a: 2 }"),
    ),
    DUPLICATE_NAME = e(
        "duplicate-name",
        "这个名字已被另一个声明使用。",
        "The name is already taken by another declaration.",
        Some("const a = 1\nconst a = 2\noutput o = a"),
    ),
    DUPLICATE_RULE = e(
        "duplicate-rule",
        "两条规则同名；规则名出现在结果和审计记录中，必须唯一。",
        "Two rules share a name; rule names appear in results and audit trails, so they must be unique.",
        Some("input { a: int }\nrule \"r\" when a > 1 flag A\nrule \"r\" when a > 2 flag B"),
    ),
    DUPLICATE_STAGE = e("duplicate-stage", "同一个阶段列了两次。", "A stage is listed twice.", Some("stages a, a")),
    DUPLICATE_TRANSITION = e(
        "duplicate-transition",
        "同一个事件从同一个阶段有两条转移。",
        "One event has two transitions out of the same stage.",
        Some(
            "workflow w {\n  stages a, b, c\n  initial a\n  final b, c\n  events go\n  a -> b on go\n  a -> c on go\n}",
        ),
    ),
    DURATION_TOTAL = w(
        "duration-total",
        "`.hours` 这类写法是总数，容易误解为时钟读数的一部分；写 `.total_hours` 或 `.hours_part`。",
        "`.hours` and its kin are totals, easily taken for a part of a clock reading; write `.total_hours` or `.hours_part`.",
        Some("input { d: duration }\noutput h = d.hours"),
    ),
    EACH_TARGET = e(
        "each-target",
        "`for each` 块只能扩展顶层的记录列表输入。",
        "A `for each` block extends a top-level input that is a list of records.",
        Some("input { a: int }\nfor each x in a {\n  let y = 1\n}"),
    ),
    EACH_TWICE = e(
        "each-twice",
        "同一个输入已经有一个 `for each` 块；把值写在同一个块里。",
        "The input already has a `for each` block; put the values in that one.",
        Some(
            "input { xs: list<{ n: int }> }\nfor each x in xs {\n  let a = x.n\n}\nfor each x in xs {\n  let b = x.n\n}\noutput o = count(xs)",
        ),
    ),
    EACH_WHERE = e(
        "each-where",
        "`for each` 块不能带 `where`；每一项都会得到它的值。",
        "A `for each` block takes no `where`: every item gets its values.",
        Some(
            "input { xs: list<{ n: int }> }\nfor each x in xs where x.n > 1 {\n  let a = x.n\n}\noutput o = count(xs)",
        ),
    ),
    EMPTY_TABLE = w("empty-table", "表没有任何行。", "The table has no rows.", Some("table t(x: int) -> int {\n}\noutput o = t(1)")),
    ENSURE_READS_VALUES = e(
        "ensure-reads-values",
        "约束（ensure）在评估前检查事实，只能读事实、常量、now 和表。",
        "An ensure checks the facts before evaluation: it reads facts, consts, now and tables only.",
        Some("input { a: int }\nlet b = a + 1\nensure b > 0 otherwise \"b 必须为正\"\noutput o = b"),
    ),
    EVALUATION = e(
        "evaluation",
        "这些事实使策略中的某个表达式无法计算（溢出、除以零、unique 表匹配了两行等）。",
        "These facts make an expression of the policy impossible to compute (an overflow, a division by zero, a unique table matching twice).",
        None,
    ),
    EXPRESSION_TOO_DEEP = e(
        "expression-too-deep",
        "表达式嵌套过深（上限见 limits）；拆成几个 let。",
        "An expression nests deeper than the limit; split it into several `let`s.",
        None,
    ),
    FACTS_SYNTAX = e("facts-syntax", "事实文件不是有效的 YAML 或 JSON。", "The facts are not valid YAML or JSON.", None),
    FACTS_TOO_LARGE = e(
        "facts-too-large",
        "事实文件超过大小上限；大量案例请用批量评估。",
        "The facts are over the size limit; evaluate many cases in a batch instead.",
        None,
    ),
    FIELD_CHECK = e(
        "field-check",
        "输入字段的检查与它的类型不符（数字用界限或范围，文本用模式），或范围为空、模式无效。",
        "An input field's check does not fit its type (numbers take bounds or ranges, texts patterns), or the range is empty, or the pattern is invalid.",
        Some("input { name: text >= 3 }\noutput n = name"),
    ),
    FILE_TOO_LARGE = e(
        "file-too-large",
        "策略文件超过大小上限；把策略拆成几个文件。",
        "The policy file is over the size limit; split it into several files.",
        None,
    ),
    FOREIGN_OPERATOR = e(
        "foreign-operator",
        "tenet 不使用这个运算符（`&&`、`||`、`!` 写作 and、or、not）。",
        "tenet does not use this operator: `&&`, `||` and `!` are written and, or, not.",
        Some("input { a: bool, b: bool }\nrule \"r\" when a && b flag A"),
    ),
    HOLIDAY_FILE = ew(
        "holiday-file",
        "节假日文件有问题：无法读取、格式错误、日期无效，或与日历的时区不一致。",
        "A holiday file cannot be read, is malformed, has an invalid date, or disagrees with its calendar's zone.",
        Some("calendar c {\n  mon..fri 09:00-18:00\n  holidays \"no-such-file.yaml\"\n}"),
    ),
    INEXACT_NUMBER = e(
        "inexact-number",
        "不加引号的数字位数太多（超过 15 位有效数字），读成浮点数会改变它；加上引号即可精确读取。",
        "An unquoted number has more significant digits (over 15) than a float keeps; quote it to have it read exactly.",
        None,
    ),
    INTERNAL = e(
        "internal",
        "tenet 自身的缺陷（语法与构建器不一致），不是策略的错误；请报告。",
        "A bug in tenet itself (the grammar and the syntax builder out of step), not a mistake in the policy; please report it.",
        None,
    ),
    INTERPOLATION_NOT_ALLOWED = e(
        "interpolation-not-allowed",
        "这里的文本不能插值 `{…}`（如版本、时区）。",
        "This text cannot interpolate `{…}` (a version, a time zone).",
        Some("const v = 1\ntimezone \"{v}\""),
    ),
    INVALID_CASE = e(
        "invalid-case",
        "案例文件（事件历史）的结构不对：缺少键、未知的键或值的类型不对。",
        "A case file (an event history) is malformed: a missing or unknown key, or a value of the wrong type.",
        None,
    ),
    INVALID_FACT = e(
        "invalid-fact",
        "事实不符合策略的 input 声明或 ensure 约束。",
        "The facts do not fit the policy's `input` schema or break one of its `ensure` constraints.",
        None,
    ),
    KEYWORD_AS_NAME = e(
        "keyword-as-name",
        "关键字不能作顶层输入的名字。",
        "A keyword cannot name a top-level input.",
        Some("input { rule: int }"),
    ),
    LEDGER_AS_VALUE = e(
        "ledger-as-value",
        "账本不是值；它的合计写作 `total(账本)`。",
        "A ledger is not a value; its total is `total(ledger)`.",
        Some("ledger l\noutput o = l"),
    ),
    MISSING_AS_VALUE = e(
        "missing-as-value",
        "`missing` 不是值；用 `x is missing` 检查。",
        "`missing` is not a value; test it with `x is missing`.",
        Some("input { a: int? }\nrule \"r\" when a == missing flag A"),
    ),
    MISSING_CURRENCY = w(
        "missing-currency",
        "没有声明货币；金额按人民币（CNY）计算。",
        "No currency is declared; amounts are in CNY.",
        None,
    ),
    MISSING_POLICY = e(
        "missing-policy",
        "缺少 `policy` 声明（名称和版本）。",
        "The `policy` declaration (name and version) is missing.",
        None,
    ),
    MISSING_TIMEZONE = w(
        "missing-timezone",
        "没有声明时区；日期按 UTC 计算。",
        "No time zone is declared; dates are counted in UTC.",
        None,
    ),
    NESTING_TOO_DEEP = e("nesting-too-deep", "括号或插值嵌套过深。", "Brackets or interpolations nest deeper than the limit.", None),
    NEVER_FIRES = w(
        "never-fires",
        "规则的条件对同一个值的要求互相矛盾，永远不会触发。",
        "A rule's conditions on one value contradict each other, so it never fires.",
        Some("input { a: int }\nrule \"r\" when a > 5 and a < 3 flag A"),
    ),
    NEVER_MISSING = w(
        "never-missing",
        "这个值永远不会缺失，`is missing` 检查没有意义。",
        "The value is never missing, so testing it with `is missing` means nothing.",
        Some("input { a: int }\nrule \"r\" when a is missing flag A"),
    ),
    NO_FIELDS = e(
        "no-fields",
        "这种类型的值没有字段。",
        "A value of this type has no fields.",
        Some("input { a: int }\noutput o = a.b"),
    ),
    NO_HOURS = e("no-hours", "日历没有工作时间。", "The calendar has no working hours.", Some("calendar c {\n}")),
    NO_INITIAL = e(
        "no-initial",
        "流程没有初始阶段。",
        "The workflow has no initial stage.",
        Some("workflow w {\n  stages a, b\n  final b\n  events go\n  a -> b on go\n}"),
    ),
    NO_STAGES = e("no-stages", "流程没有声明阶段。", "The workflow declares no stages.", Some("workflow w {\n  events go\n}")),
    NO_WORKFLOW = e(
        "no-workflow",
        "策略没有声明流程，无法回放案例。",
        "The policy declares no workflow, so a case cannot be replayed.",
        None,
    ),
    NOT_A_CALENDAR = e(
        "not-a-calendar",
        "这里需要日历，这个名字却是别的。",
        "A calendar is needed here, but the name is something else.",
        Some("const c = 1\ninput { a: datetime }\noutput o = a + 2 c hours"),
    ),
    NOT_A_DURATION = e(
        "not-a-duration",
        "这里需要一个固定的时长。",
        "A fixed duration is needed here.",
        Some(
            "const d = 3\nworkflow w {\n  stages a, b\n  initial a\n  final b\n  events go\n  a -> b on go\n  deadline a within d of entering\n}",
        ),
    ),
    NOT_IN_ENUM = e(
        "not-in-enum",
        "文本不是这个枚举的可选值之一。",
        "The text is not one of the enumeration's values.",
        Some("input { a: \"x\" | \"y\" }\nrule \"r\" when a == \"z\" flag A"),
    ),
    NOT_UTF8 = e(
        "not-utf8",
        "文件中有不是 UTF-8 的字节；用 UTF-8 保存。",
        "The file has bytes that are not UTF-8; save it as UTF-8.",
        None,
    ),
    NUMBER_TOO_LARGE = e(
        "number-too-large",
        "数字太大，无法精确表示。",
        "The number is too large to represent exactly.",
        Some("const n = 99999999999999999999999"),
    ),
    OPTIONAL_NOT_ALLOWED = e(
        "optional-not-allowed",
        "这里不能用可选类型 `?`。",
        "An optional type `?` is not allowed here.",
        Some("table t(x: int?) -> int {\n  _ => 1,\n}\noutput o = t(1)"),
    ),
    OVERLAPPING_HOURS = e(
        "overlapping-hours",
        "同一天的两个工作时间段重叠。",
        "Two working-hours ranges of one day overlap.",
        Some("calendar c {\n  mon 09:00-12:00, 11:00-18:00\n}"),
    ),
    PARSER_LIMIT = e(
        "parser-limit",
        "策略过于复杂，解析步数超过上限。",
        "The policy is too complex to parse within the step limit.",
        None,
    ),
    PARTIAL_DAYS = e(
        "partial-days",
        "日期只能加减整天数；不足一天的时长要加在日期时间上。",
        "A date moves by whole days; a part of a day is added to a datetime instead.",
        Some("input { d: date }\noutput x = d + 36 hours"),
    ),
    PATTERN_INTERPOLATION = w(
        "pattern-interpolation",
        "正则表达式文本里的 `{3}` 是插值（变成 `3`），不是次数；次数写成 `{{3}}`。",
        "A `{3}` in a pattern's text is interpolation (it becomes `3`), not a quantifier; write a quantifier as `{{3}}`.",
        Some("input { t: text }\noutput x = matches(t, \"[a-z]{3}\")"),
    ),
    PERIOD_AS_DURATION = w(
        "period-as-duration",
        "`duration(\"P1Y\")` 的文本是日历期间（年、月），不是时长，结果总是缺失；写 `period(\"P1Y\")`。",
        "The text of `duration(\"P1Y\")` is a calendar period (years, months), not a duration, so it is always missing; write `period(\"P1Y\")`.",
        Some("output x = duration(\"P1Y\")"),
    ),
    RESERVED_NAME = e(
        "reserved-name",
        "这是内置的名字（now、decision、always 或内置函数），不能再用来命名。",
        "The name is built in (now, decision, always, or a builtin function).",
        Some("const now = 1\noutput o = now"),
    ),
    ROW_WIDTH = e(
        "row-width",
        "表的这一行条件个数与参数个数不同。",
        "A table row has a different number of conditions than the table has parameters.",
        Some("table t(x: int) -> int {\n  1, 2 => 3,\n}\noutput o = t(1)"),
    ),
    SAME_SITUATION = w(
        "same-situation",
        "两条拒绝规则在同一条件下触发；合并它们，或让条件不同。",
        "Two rejections fire on the same condition; merge them or tell them apart.",
        Some("input { a: int }\nrule \"r1\" when a > 1 reject A \"太大\"\nrule \"r2\" when a > 1 reject B \"过大\""),
    ),
    SEVERAL_INITIAL = e(
        "several-initial",
        "一个流程只有一个初始阶段。",
        "A workflow has exactly one initial stage.",
        Some("workflow w {\n  stages a, b\n  initial a\n  initial b\n  final b\n  events go\n  a -> b on go\n}"),
    ),
    SEVERAL_WORKFLOWS = e(
        "several-workflows",
        "一个策略文件最多声明一个流程。",
        "A policy file declares at most one workflow.",
        Some(
            "workflow w {\n  stages a, b\n  initial a\n  final b\n  events go\n  a -> b on go\n}\nworkflow v {\n  stages a, b\n  initial a\n  final b\n  events go\n  a -> b on go\n}",
        ),
    ),
    SINGLE_QUOTES = e("single-quotes", "文本用双引号。", "Texts use double quotes.", Some("const t = 'a'")),
    SYNTAX = e(
        "syntax",
        "无法解析：这里的写法不是 tenet 的语法。",
        "Cannot parse: what is written here is not tenet's syntax.",
        Some("rule when"),
    ),
    TABLE_AS_VALUE = e(
        "table-as-value",
        "表要带参数调用：`t(x)`。",
        "A table is called with arguments: `t(x)`.",
        Some("table t(x: int) -> int {\n  _ => 1,\n}\noutput o = t"),
    ),
    TABLE_GAP = w(
        "table-gap",
        "unique 表的某些输入组合没有匹配的行（结果会是 missing）。",
        "A unique table has input combinations no row matches (its result is missing there).",
        Some("input { a: \"x\" | \"y\" }\ntable t(k: \"x\" | \"y\") -> int {\n  \"x\" => 1,\n}\noutput o = t(a)"),
    ),
    TABLE_OVERLAP = w(
        "table-overlap",
        "unique 表的两行可能同时匹配，评估时会出错。",
        "Two rows of a unique table can match the same input, which is an error when it happens.",
        Some("table t(x: int) -> int {\n  > 1 => 1,\n  > 2 => 2,\n}\noutput o = t(3)"),
    ),
    TABLE_SHADOWED = w(
        "table-shadowed",
        "first 表中这一行永远不会被选中：前面的行已经覆盖了它。",
        "A row of a `first` table is never chosen: the rows before it cover it.",
        Some("table t(x: int) -> int hit first {\n  _ => 1,\n  1 => 2,\n}\noutput o = t(3)"),
    ),
    TEXT_SPANS_LINES = e(
        "text-spans-lines",
        "文本中的插值跨越了多行；文本连同其中的插值要写在一行内。",
        "An interpolation in a text runs over several lines; a text, its interpolations included, stays on one line.",
        Some("input { a: int }\noutput o = \"{a +\n1}\""),
    ),
    TOO_LARGE = e(
        "too-large",
        "文件超过 tenet 读取的大小上限（16 MiB），没有读取。",
        "A file is over the size limit tenet reads (16 MiB) and was not read.",
        None,
    ),
    TOO_MANY_ROLES = e(
        "too-many-roles",
        "一个流程最多声明 64 个角色。",
        "A workflow declares at most 64 roles.",
        None,
    ),
    TYPE_MISMATCH = e(
        "type-mismatch",
        "值的类型不符合这里的要求。",
        "A value's type is not what is needed here.",
        Some("input { a: int }\nrule \"r\" when a + \"two\" > 1 flag A"),
    ),
    UNKNOWN_CURRENCY = e("unknown-currency", "未知的货币代码。", "The currency code is not one tenet knows.", None),
    UNKNOWN_FIELD = e(
        "unknown-field",
        "记录或时长没有这个字段。",
        "The record or duration has no such field.",
        Some("input { a: { b: int } }\noutput o = a.c"),
    ),
    UNKNOWN_FUNCTION = e(
        "unknown-function",
        "没有这个函数或表。",
        "No function or table has this name.",
        Some("input { a: int }\noutput o = absolute(a)"),
    ),
    UNKNOWN_LEDGER = e(
        "unknown-ledger",
        "没有这个账本；先用 `ledger 名称` 声明。",
        "No ledger has this name; declare it with `ledger NAME`.",
        Some("input { a: money }\nrule \"r\" when a > 1 deduct FEE 1 into fees"),
    ),
    UNKNOWN_NAME = e(
        "unknown-name",
        "没有这个名字（输入、常量、值或表）。",
        "No input, const, value or table has this name.",
        Some("input { a: int }\noutput o = b"),
    ),
    UNKNOWN_STAGE = e(
        "unknown-stage",
        "没有这个阶段；阶段在 `stages` 中声明。",
        "No stage has this name; stages are declared with `stages`.",
        Some("stages review\ninput { a: int }\nrule \"r\" at reveiw when a > 1 flag A"),
    ),
    UNKNOWN_TIMEZONE = e(
        "unknown-timezone",
        "未知的时区；用 IANA 名称，例如 Asia/Shanghai。",
        "The time zone is not known; use an IANA name such as Asia/Shanghai.",
        None,
    ),
    UNKNOWN_TYPE = e("unknown-type", "没有这个类型。", "No type has this name.", Some("input { a: integer }")),
    UNKNOWN_UNIT = e(
        "unknown-unit",
        "数字后面的词不是时间单位（weeks、days、hours、minutes、seconds）。",
        "The word after a number is not a time unit (weeks, days, hours, minutes, seconds).",
        Some("const w = 30 dayz"),
    ),
    UNREACHABLE_STAGE = w(
        "unreachable-stage",
        "从初始阶段无法到达这个阶段。",
        "The stage cannot be reached from the initial stage.",
        Some("workflow w {\n  stages a, b, c\n  initial a\n  final b, c\n  events go\n  a -> b on go\n}"),
    ),
    UNREADABLE = e("unreadable", "文件无法读取。", "A file cannot be read.", None),
    UNTERMINATED_TEXT = e("unterminated-text", "文本缺少结束的引号。", "A text has no closing quote.", Some("const t = \"abc")),
    UNUSED = w("unused", "声明了却从未使用。", "Declared but never used.", Some("const c = 1")),
    UNUSED_EVENT = w(
        "unused-event",
        "声明的事件没有任何转移使用。",
        "A declared event is used by no transition.",
        Some("workflow w {\n  stages a, b\n  initial a\n  final b\n  events go, poke\n  a -> b on go\n}"),
    ),
    UNUSED_INPUT = w(
        "unused-input",
        "输入从未被任何规则或值读取。",
        "An input is read by no rule or value.",
        Some("input { a: int, b: int }\nrule \"r\" when a > 1 flag A"),
    ),
    UNUSED_ROLE = w(
        "unused-role",
        "声明的角色没有任何转移使用（`on 事件 by 角色`）。",
        "A declared role is named by no transition (`on EVENT by ROLE`).",
        Some("workflow w {\n  stages a, b\n  initial a\n  final b\n  events go\n  roles clerk, auditor\n  a -> b on go by clerk\n}"),
    ),
}

/// The explanation of a code.
pub fn explain(code: &str) -> Option<&'static Explanation> {
    CODES.iter().find(|e| e.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support;

    const HEADER: &str = "policy demo version \"1\"\ntimezone \"Asia/Shanghai\"\ncurrency CNY\n";

    #[test]
    fn the_list_is_sorted_and_every_code_is_once() {
        let codes: Vec<&str> = CODES.iter().map(|e| e.code).collect();
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(codes, sorted);
    }

    /// A diagnostic is made with a code's constant, never a string that could be
    /// misspelt; and every listed code is used somewhere.
    #[test]
    fn codes_are_constants_and_each_is_used() {
        let mut literals = Vec::new();
        let mut text = String::new();
        for path in test_support::files(&test_support::root().join("src"), "rs") {
            if path.ends_with("diagnostics/codes.rs") {
                continue;
            }
            let source = std::fs::read_to_string(&path).expect("readable");
            for kind in ["Diagnostic::error(", "Diagnostic::warning("] {
                for chunk in source.split(kind).skip(1) {
                    if chunk.trim_start().starts_with('"') {
                        let shown: String = chunk.trim_start().chars().take(40).collect();
                        literals.push(format!("{}: {kind}{shown}", path.display()));
                    }
                }
            }
            text.push_str(&source);
        }
        assert!(literals.is_empty(), "use a constant of diagnostics/codes.rs:\n{}", literals.join("\n"));
        let name = |code: &str| code.to_uppercase().replace('-', "_");
        let unused: Vec<&str> =
            CODES.iter().map(|e| e.code).filter(|c| !text.contains(&format!("codes::{}", name(c)))).collect();
        assert!(unused.is_empty(), "codes listed but never used: {unused:?}");
    }

    /// Each example causes its own code.
    #[test]
    fn every_example_causes_its_code() {
        let mut wrong = Vec::new();
        for explanation in CODES {
            let Some(example) = explanation.example else { continue };
            let text = if explanation.code == "duplicate-declaration" {
                format!("{HEADER}stages a\n{example}\n")
            } else {
                format!("{HEADER}{example}\n")
            };
            let diagnostics = match crate::Policy::from_text("example.tenet", &text) {
                Ok(policy) => policy.warnings().to_vec(),
                Err(e) => e.diagnostics(),
            };
            if !diagnostics.iter().any(|d| d.code == explanation.code) {
                let got: Vec<&str> = diagnostics.iter().map(|d| d.code).collect();
                wrong.push(format!("{}: got {got:?}", explanation.code));
            }
        }
        assert!(wrong.is_empty(), "examples that do not cause their code:\n{}", wrong.join("\n"));
    }
}
