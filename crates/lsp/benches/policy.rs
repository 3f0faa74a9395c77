//! A generated policy of a given length: a schema, then blocks of a const, a let that
//! reads it and a rule that reads both, with Chinese names and messages.

/// At least `lines` lines of policy.
pub fn generate(lines: usize) -> String {
    let mut text = String::from(
        "policy big \"大策略\" version \"1\"\ntimezone \"Asia/Shanghai\"\ncurrency CNY\n\ninput {\n  request: { reason: \"defect\" | \"changed_mind\", amount: money, opened: bool, days: int }\n}\n\nledger deductions\n\n",
    );
    let mut i = 0;
    while text.lines().count() < lines {
        text.push_str(&format!(
            "const fee_{i} = {}%\nlet charge_{i} = fee_{i} of request.amount\n\nrule \"规则 {i}\"\n  when request.days > {i} and request.reason == \"changed_mind\"\n  deduct FEE_{i} charge_{i} \"手续费 {{charge_{i}}}\"\n\n",
            i % 50 + 1
        ));
        i += 1;
    }
    text
}
