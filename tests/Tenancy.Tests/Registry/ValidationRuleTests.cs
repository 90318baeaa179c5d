using OrleansTenancy.Tenancy.Registry;

namespace OrleansTenancy.Tenancy.Tests.Registry;

/// <summary>
/// One row per validation rule: a tenants folder with exactly one mistake, the file and line the problem
/// must point at and words the message must contain. The broken tenant must not load.
/// </summary>
public sealed class ValidationRuleTests
{
    private const string Tenant = "t/tenant.yaml";
    private const string Budgets = "t/budgets.yaml";
    private const string Routing = "t/routing.yaml";
    private const string Policy = "t/policy_overrides.yaml";
    private static readonly string ValidTenant = TempTenants.TenantYaml();

    private static readonly Dictionary<string, Case> Cases = new()
    {
        ["unknown key with suggestion"] = new(Budgets, 1, "Unknown key 'daly_cap_usd' in budgets.yaml (did you mean 'daily_cap_usd'?)", (Budgets, "daly_cap_usd: 5\n")),
        ["unknown tenant key"] = new(Tenant, 5, "Unknown key 'timezon' in tenant.yaml (did you mean 'timezone'?)", (Tenant, ValidTenant + "\ntimezon: UTC\n")),
        ["unknown workspace key"] = new(Tenant, 4, "Unknown key 'discord_guild' in workspace 'main' (did you mean 'discord_guild_id'?)", (Tenant, "workspaces:\n  main:\n    name: M\n    discord_guild: 123456789012345678\n")),
        ["wrong type for number"] = new(Budgets, 1, "'daily_cap_usd' in budgets.yaml must be a number, but it is the value 'lots'", (Budgets, "daily_cap_usd: lots\n")),
        ["quoted number where a number is required"] = new(Budgets, 1, "must be a number, but it is the text \"5\"", (Budgets, "daily_cap_usd: \"5\"\n")),
        ["wrong type list for scalar"] = new(Budgets, 1, "'max_per_request' in budgets.yaml must be a number, but it is a list", (Budgets, "max_per_request: [1]\n")),
        ["wrong type for bool"] = new(Budgets, 1, "'inherit_global' in budgets.yaml must be true or false", (Budgets, "inherit_global: maybe\n")),
        ["tokens too large"] = new(Budgets, 1, "'monthly_tokens' in budgets.yaml is too large", (Budgets, "monthly_tokens: 1e20\n")),
        ["root is text"] = new(Tenant, 1, "Expected a mapping of keys to values for tenant.yaml, but found the value 'hello'", (Tenant, "hello\n")),
        ["non-text key"] = new(Budgets, 1, "A key must be plain text, but this key is a list", (Budgets, "? [a, b]\n: 1\n")),
        ["guild claimed twice in one workspace"] = new(Tenant, 4, "Guild 123456789012345678 is listed twice in workspace 'main'", (Tenant, "workspaces:\n  main:\n    discord_guild_id: [123456789012345678,\n      \"123456789012345678\"]\n")),
        ["global unknown key"] = new("_global.yaml", 1, "Unknown key 'budget' in _global.yaml (did you mean 'budgets'?)", ("_global.yaml", "budget:\n  daily_cap_usd: 1\n")),
        ["global model outside allowed"] = new("_global.yaml", 3, "Task 'default' in 'routing' in _global.yaml uses model 'x/y'", ("_global.yaml", "routing:\n  allowed_models: [a/b]\n  models: { default: x/y }\n")),
        ["global negative unknown_model price"] = new("_global.yaml", 2, "'completion' in the price of 'unknown_model' in _global.yaml must not be negative", ("_global.yaml", "pricing:\n  unknown_model: { prompt: \"0.00001\", completion: \"-0.1\" }\n")),
        ["fractional tokens"] = new(Budgets, 1, "'daily_tokens' in budgets.yaml must be a whole number, but it is 1.5", (Budgets, "daily_tokens: 1.5\n")),
        ["duplicate key"] = new(Budgets, 3, "Duplicate key 'daily_cap_usd' in budgets.yaml (first defined on line 1)", (Budgets, "daily_cap_usd: 1\nmonthly_cap_usd: 40\ndaily_cap_usd: 2\n")),
        ["duplicate workspace"] = new(Tenant, 4, "Duplicate workspace 'main' (first defined on line 2)", (Tenant, "workspaces:\n  main:\n    name: A\n  main:\n    name: B\n")),
        ["negative number"] = new(Budgets, 1, "'daily_cap_usd' in budgets.yaml must not be negative, but it is -1", (Budgets, "daily_cap_usd: -1\n")),
        ["infinity"] = new(Budgets, 1, "'monthly_cap_usd' in budgets.yaml must be a finite number, but it is '.inf'", (Budgets, "monthly_cap_usd: .inf\n")),
        ["not a number"] = new(Budgets, 1, "must be a finite number, but it is '.nan'", (Budgets, "max_per_request: .nan\n")),
        ["number out of range"] = new(Budgets, 1, "is out of range", (Budgets, "daily_cap_usd: 1e400\n")),
        ["usd limit below what the ledger keeps"] = new(Budgets, 2, "'max_per_request' in budgets.yaml (0.0000000000000000000000000001) is below 0.000000001, the smallest USD amount the ledger keeps", (Budgets, "daily_cap_usd: 0.000000001\nmax_per_request: 1.234567e-28\n")),
        ["monthly cap below daily cap"] = new(Budgets, 2, "'monthly_cap_usd' (50) in budgets.yaml is below 'daily_cap_usd' (60)", (Budgets, "daily_cap_usd: 60\nmonthly_cap_usd: 50\n")),
        ["monthly tokens below daily tokens"] = new(Budgets, 2, "'monthly_tokens' (10) in budgets.yaml is below 'daily_tokens' (20)", (Budgets, "daily_tokens: 20\nmonthly_tokens: 10\n")),
        ["monthly executions below daily"] = new(Budgets, 2, "'monthly_executions' (1) in budgets.yaml is below 'daily_executions' (2)", (Budgets, "daily_executions: 2\nmonthly_executions: 1\n")),
        ["workspace monthly below daily"] = new(Tenant, 6, "'monthly_cap_usd' (1) in the budgets of workspace 'main' is below", (Tenant, "workspaces:\n  main:\n    discord_guild_id: 123456789012345678\n    budgets:\n      daily_cap_usd: 2\n      monthly_cap_usd: 1\n")),
        ["zero alert threshold"] = new(Budgets, 1, "percentages above 0", (Budgets, "alert_thresholds: [0, 50]\n")),
        ["unknown time zone"] = new(Tenant, 5, "'timezone' is 'Mars/Olympus_Mons', which is not a known IANA time zone", (Tenant, ValidTenant + "\ntimezone: Mars/Olympus_Mons\n")),
        ["misspelt time zone"] = new(Tenant, 5, "(did you mean 'Europe/Berlin'?)", (Tenant, ValidTenant + "\ntimezone: Europe/Berln\n")),
        ["unknown enforcement"] = new(Budgets, 1, "'enforcement' in budgets.yaml must be one of none, soft, hard, but it is 'hardd' (did you mean 'hard'?)", (Budgets, "enforcement: hardd\n")),
        ["webhook over plain http"] = new(Tenant, 7, "The alerts.webhooks entry 1 in tenant.yaml: url http://hooks.example.com/services/*** uses plain http", (Tenant, ValidTenant + "\nalerts:\n  webhooks:\n    - url: http://hooks.example.com/services/T0/B0/secret-token\n")),
        ["webhook format unknown"] = new(Tenant, 7, "The alerts.webhooks entry 1 in tenant.yaml: format 'teams' is not one of json, slack, discord", (Tenant, ValidTenant + "\nalerts:\n  webhooks:\n    - { url: \"https://hooks.example.com/x\", format: teams }\n")),
        ["webhook key unknown"] = new(Tenant, 7, "Unknown key 'uri'", (Tenant, ValidTenant + "\nalerts:\n  webhooks:\n    - uri: https://hooks.example.com/x\n")),
        ["global webhook not an address"] = new("_global.yaml", 3, "The alerts.webhooks entry 1 in _global.yaml: url must be an absolute https address", ("_global.yaml", "alerts:\n  webhooks:\n    - url: hooks.example.com/x\n")),
        ["unknown status"] = new(Tenant, 5, "'status' must be one of active, suspended", (Tenant, ValidTenant + "\nstatus: paused\n")),
        ["guild too short"] = new(Tenant, 4, "'discord_guild_id' in workspace 'main' must be a Discord guild id", (Tenant, TempTenants.TenantYaml(guild: "12345"))),
        ["guild with letters"] = new(Tenant, 4, "must be a Discord guild id", (Tenant, TempTenants.TenantYaml(guild: "\"12345678901234567a\""))),
        ["guild beyond ulong"] = new(Tenant, 4, "must be a Discord guild id", (Tenant, TempTenants.TenantYaml(guild: "99999999999999999999"))),
        ["guild negative"] = new(Tenant, 4, "must be a Discord guild id", (Tenant, TempTenants.TenantYaml(guild: "-123456789012345678"))),
        ["guild zero"] = new(Tenant, 4, "must be a Discord guild id", (Tenant, TempTenants.TenantYaml(guild: "00000000000000000"))),
        ["guild list entry bad"] = new(Tenant, 4, "must be a Discord guild id", (Tenant, TempTenants.TenantYaml(guild: "[123456789012345678, 1.5]"))),
        ["guild claimed by two workspaces"] = new(Tenant, 6, "Guild 123456789012345678 is claimed by workspace 'a' and by workspace 'b'", (Tenant, "workspaces:\n  a:\n    discord_guild_id: 123456789012345678\n  b:\n    discord_guild_id:\n      - 123456789012345678\n")),
        ["model override outside allowed_models"] = new(Routing, 4, "Task 'chat' in routing.yaml uses model 'openai/gpt-4o', which is not in allowed_models", (Routing, "allowed_models: [openai/gpt-4o-mini]\nmodels:\n  default: openai/gpt-4o-mini\n  chat: openai/gpt-4o\n")),
        ["workspace override outside tenant allowed_models"] = new(Tenant, 7, "Task 'code' in the routing of workspace 'main' uses model 'anthropic/claude-sonnet-4'", (Tenant, "workspaces:\n  main:\n    discord_guild_id: 123456789012345678\n    routing:\n      models:\n        default: openai/gpt-4o-mini\n        code: anthropic/claude-sonnet-4\n"), (Routing, "allowed_models: [openai/gpt-4o-mini]\n")),
        ["workspace narrows away an inherited model"] = new(Tenant, 5, "exclude 'openai/gpt-4o', which task 'chat' inherits", (Tenant, "workspaces:\n  main:\n    discord_guild_id: 123456789012345678\n    routing:\n      allowed_models: [openai/gpt-4o-mini]\n"), (Routing, "models:\n  chat: openai/gpt-4o\n")),
        ["tenant narrows away a global model"] = new(Routing, 1, "The allowed_models of routing.yaml exclude 'x/big', which task 'default' inherits from the global models in _global.yaml", (Routing, "allowed_models: [x/small]\n"), ("_global.yaml", "routing:\n  models: { default: x/big }\n")),
        ["folder name not a slug"] = new("Bad_Name", 0, "Folder name 'Bad_Name' is not a valid tenant slug", ("Bad_Name/tenant.yaml", ValidTenant)),
        ["workspace key not a slug"] = new(Tenant, 2, "Workspace key 'Main' is not valid", (Tenant, "workspaces:\n  Main:\n    name: M\n")),
        ["empty file"] = new(Budgets, 0, "The file is empty", (Budgets, "")),
        ["comments only"] = new(Policy, 0, "holds only comments", (Policy, "# nothing yet\n")),
        ["null document"] = new(Routing, 1, "The file is empty", (Routing, "---\n")),
        ["unclosed list"] = new(Budgets, 3, "YAML syntax error", (Budgets, "daily_cap_usd: 5\nmonthly_cap_usd: [1, 2\n")),
        ["syntax error"] = new(Budgets, 2, "YAML syntax error: While scanning a plain scalar value, found invalid mapping", (Budgets, "daily_cap_usd: 5\nmonthly_cap_usd: 1: 2\n")),
        ["two documents"] = new(Budgets, 2, "more than one YAML document", (Budgets, "daily_cap_usd: 5\n---\ndaily_cap_usd: 6\n")),
        ["root is a list"] = new(Budgets, 1, "Expected a mapping of keys to values for budgets.yaml, but found a list", (Budgets, "- daily_cap_usd: 5\n")),
        ["missing tenant.yaml"] = new(Tenant, 0, "has no tenant.yaml", (Budgets, "daily_cap_usd: 5\n")),
        ["unknown tenant file"] = new("t/budget.yaml", 0, "Unknown tenant file 'budget.yaml' (did you mean 'budgets.yaml'?)", ("t/budget.yaml", "daily_cap_usd: 5\n")),
        ["yml extension"] = new("t/routing.yml", 0, "(did you mean 'routing.yaml'?)", ("t/routing.yml", "allowed_models: []\n")),
        ["no workspaces"] = new(Tenant, 1, "must define 'workspaces'", (Tenant, "name: X\n")),
        ["workspaces as list"] = new(Tenant, 2, "'workspaces' must map workspace keys", (Tenant, "workspaces:\n  - main\n")),
        ["slug differs from folder"] = new(Tenant, 5, "'slug' is 'other' but the folder is named 't'", (Tenant, ValidTenant + "\nslug: other\n")),
        ["api key bad hash"] = new(Tenant, 8, "must be 64 hex digits", (Tenant, ValidTenant + "\napi_keys:\n  - id: k1\n    workspace: main\n    sha256: sk-live-secret\n")),
        ["api key unknown workspace"] = new(Tenant, 7, "names workspace 'mian', which this tenant does not define (did you mean 'main'?)", (Tenant, ValidTenant + "\napi_keys:\n  - id: k1\n    workspace: mian\n    sha256: " + new string('a', 64) + "\n")),
        ["api key missing id"] = new(Tenant, 6, "has no 'id'", (Tenant, ValidTenant + "\napi_keys:\n  - workspace: main\n    sha256: " + new string('a', 64) + "\n")),
        ["api key duplicate id"] = new(Tenant, 9, "API key id 'k1' is used twice", (Tenant, ValidTenant + "\napi_keys:\n  - id: k1\n    workspace: main\n    sha256: " + new string('a', 64) + "\n  - id: k1\n    workspace: main\n    sha256: " + new string('b', 64) + "\n")),
        ["api keys not a list"] = new(Tenant, 5, "'api_keys' must be a list of {id, workspace, sha256} entries, but it is the value 'none'", (Tenant, ValidTenant + "\napi_keys: none\n")),
        ["api key entry not a mapping"] = new(Tenant, 6, "Expected a mapping of keys to values for an 'api_keys' entry", (Tenant, ValidTenant + "\napi_keys:\n  - k1\n")),
        ["api key duplicate hash"] = new(Tenant, 11, "the same sha256 as another key", (Tenant, ValidTenant + "\napi_keys:\n  - id: k1\n    workspace: main\n    sha256: " + new string('a', 64) + "\n  - id: k2\n    workspace: main\n    sha256: " + new string('A', 64) + "\n")),
        ["price without completion"] = new(Routing, 2, "The price of 'openai/gpt-4o' in routing.yaml has no 'completion'", (Routing, "pricing:\n  openai/gpt-4o: { prompt: \"0.0000025\" }\n")),
        ["price not numeric"] = new(Routing, 2, "'prompt' in the price of 'openai/gpt-4o' in routing.yaml must be a number", (Routing, "pricing:\n  openai/gpt-4o: { prompt: cheap, completion: 1 }\n")),
        ["unknown_model outside global"] = new(Budgets, 2, "'unknown_model' may only be priced in _global.yaml", (Budgets, "pricing:\n  unknown_model: { prompt: 1, completion: 1 }\n")),
        ["provider sort invalid"] = new(Routing, 3, "'sort' in 'providers' in routing.yaml must be one of price, throughput, latency, but it is 'cost'", (Routing, "providers:\n  order: [openai]\n  sort: cost\n")),
        ["provider unknown key"] = new(Routing, 2, "Unknown key 'allow_fallback' in 'providers' in routing.yaml (did you mean 'allow_fallbacks'?)", (Routing, "providers:\n  allow_fallback: true\n")),
        ["max_price negative"] = new(Routing, 3, "'prompt' in 'providers.max_price' in routing.yaml must not be negative", (Routing, "providers:\n  max_price:\n    prompt: -1\n")),
        ["policy zero rate"] = new(Policy, 1, "'requests_per_minute' in policy_overrides.yaml must be at least 1, but it is 0", (Policy, "requests_per_minute: 0\n")),
        ["policy unknown key"] = new(Policy, 1, "(did you mean 'tokens_per_minute'?)", (Policy, "token_per_minute: 5\n")),
        ["alias to missing anchor"] = new(Budgets, 1, "YAML syntax error", (Budgets, "daily_cap_usd: *nope\n")),
    };

    public static TheoryData<string> CaseNames => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Each_rule_reports_file_line_and_message_and_skips_the_tenant(string caseName)
    {
        var @case = Cases[caseName];
        using var tenants = new TempTenants();
        if (!@case.Files.Any(f => f.Path.EndsWith("tenant.yaml", StringComparison.Ordinal)) && caseName != "missing tenant.yaml")
        {
            tenants.Write(Tenant, ValidTenant);
        }

        foreach (var (path, content) in @case.Files)
        {
            tenants.Write(path, content);
        }

        var registry = tenants.Load();

        var expectedFile = tenants.PathOf(@case.File);
        var match = registry.Problems.FirstOrDefault(p => p.Severity == ProblemSeverity.Error && p.Message.Contains(@case.Fragment, StringComparison.Ordinal));
        Assert.True(match is not null, $"No error containing \"{@case.Fragment}\"; got:\n{string.Join("\n", registry.Problems)}");
        Assert.Equal(expectedFile, match.File);
        Assert.Equal(@case.Line, match.Line);
        if (match.Tenant is null)
        {
            Assert.NotNull(registry.Find("t")); // a broken _global.yaml does not take tenants down
        }
        else
        {
            Assert.Null(registry.Find(match.Tenant));
        }
    }

    private static readonly Dictionary<string, Case> WarningCases = new()
    {
        ["max_per_request above daily cap"] = new(Budgets, 2, "'max_per_request' (3) in budgets.yaml is above 'daily_cap_usd' (2)", (Budgets, "daily_cap_usd: 2\nmax_per_request: 3\n")),
        ["repeated allowed model"] = new(Routing, 1, "'a/b' appears more than once in 'allowed_models' in routing.yaml", (Routing, "allowed_models: [a/b, a/b]\n")),
        ["repeated alert threshold"] = new(Budgets, 1, "Alert threshold 80 appears more than once", (Budgets, "alert_thresholds: [80, 80]\n")),
        ["workspace monthly below inherited daily"] = new(Tenant, 5, "the effective 'monthly_cap_usd' (5) of workspace 'main' is below its effective 'daily_cap_usd' (10)", (Tenant, "workspaces:\n  main:\n    discord_guild_id: 123456789012345678\n    budgets:\n      monthly_cap_usd: 5\n"), (Budgets, "daily_cap_usd: 10\n")),
        ["tenant daily above global monthly"] = new(Budgets, 1, "the effective 'monthly_tokens' (100) of budgets.yaml is below its effective 'daily_tokens' (500)", (Budgets, "daily_tokens: 500\n"), ("_global.yaml", "budgets:\n  monthly_tokens: 100\n")),
    };

    public static TheoryData<string> WarningCaseNames => [.. WarningCases.Keys];

    [Theory]
    [MemberData(nameof(WarningCaseNames))]
    public void Warnings_are_reported_and_the_tenant_still_loads(string caseName)
    {
        var @case = WarningCases[caseName];
        using var tenants = new TempTenants();
        if (!@case.Files.Any(f => f.Path == Tenant))
        {
            tenants.Write(Tenant, ValidTenant);
        }

        foreach (var (path, content) in @case.Files)
        {
            tenants.Write(path, content);
        }

        var registry = tenants.Load();

        var warning = Assert.Single(registry.Problems);
        Assert.Equal(ProblemSeverity.Warning, warning.Severity);
        Assert.Contains(@case.Fragment, warning.Message, StringComparison.Ordinal);
        Assert.Equal(tenants.PathOf(@case.File), warning.File);
        Assert.Equal(@case.Line, warning.Line);
        Assert.NotNull(registry.Find("t"));
        Assert.False(registry.HasErrors);
    }

    [Fact]
    public void Problems_in_every_file_of_a_folder_are_reported_in_one_run()
    {
        using var tenants = new TempTenants();
        tenants.Write(Tenant, "workspaces: [\n")
            .Write(Budgets, "daily_cap_usd: -1\n")
            .Write(Routing, "allowed_model: []\n")
            .Write(Policy, "downshift: sometimes\n");

        var files = TenantRegistryLoader.Validate(tenants.Root).Select(p => Path.GetFileName(p.File)).ToList();

        Assert.Equal(["budgets.yaml", "policy_overrides.yaml", "routing.yaml", "tenant.yaml"], files);
    }

    [Fact]
    public void A_file_that_is_not_utf8_is_reported()
    {
        using var tenants = new TempTenants();
        tenants.Write(Tenant, ValidTenant);
        File.WriteAllBytes(tenants.PathOf(Budgets), [.. "daily_cap_usd: 5 # caf"u8, 0xE9, (byte)'\n']);

        var problem = Assert.Single(tenants.Load().Problems);

        Assert.Equal(tenants.PathOf(Budgets), problem.File);
        Assert.Contains("not valid UTF-8", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Byte_order_marks_and_windows_line_endings_are_accepted()
    {
        using var tenants = new TempTenants();
        tenants.Write(Tenant, "\uFEFF" + ValidTenant.ReplaceLineEndings("\r\n"))
            .Write(Budgets, "\uFEFFdaily_cap_usd: 2\r\nmonthly_cap_usd: 1\r\n");

        var problem = Assert.Single(tenants.Load().Problems);

        Assert.Equal(2, problem.Line);
        Assert.Contains("'monthly_cap_usd' (1)", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_clean_folder_with_every_optional_file_has_no_problems()
    {
        using var tenants = new TempTenants();
        tenants.Write(Tenant, ValidTenant)
            .Write(Budgets, "daily_cap_usd: 1\nmonthly_cap_usd: 10\nenforcement: hard\n")
            .Write(Routing, "allowed_models: [openai/gpt-4o-mini]\nmodels: { default: openai/gpt-4o-mini }\n")
            .Write(Policy, "requests_per_minute: 5\n")
            .Write("t/README.md", "notes are ignored")
            .Write("_drafts/tenant.yaml", "not: a tenant")
            .Write(".hidden/tenant.yaml", "not: a tenant");

        var registry = tenants.Load();

        Assert.Empty(registry.Problems);
        Assert.Equal(["default", "t"], registry.Tenants.Select(t => t.Slug));
    }

    private sealed record Case(string File, int Line, string Fragment, params (string Path, string Content)[] Files);
}
