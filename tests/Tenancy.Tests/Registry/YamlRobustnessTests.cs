using FsCheck;
using FsCheck.Fluent;
using OrleansTenancy.Tenancy.Registry;
using OrleansTenancy.Tenancy.Registry.Parsing;
using OrleansTenancy.Tenancy.Registry.Yaml;

namespace OrleansTenancy.Tenancy.Tests.Registry;

/// <summary>Hostile or garbled YAML becomes problems with positions, never exceptions.</summary>
public sealed class YamlRobustnessTests
{
    private static readonly string[] Fragments =
    [
        "daily_cap_usd", "workspaces", "main", ":", ": ", "- ", "[", "]", "{", "}", ",", "\n", "  ", "\t", "'", "\"",
        "&a ", "*a", "? ", "# c", "---", "...", "1", "-1", ".inf", "1e400", "null", "true", "|", ">", "!!str ", "%YAML 1.2", "\u00e9",
    ];

    [Fact]
    public void Any_sequence_of_yaml_tokens_is_read_or_reported_without_throwing()
    {
        var texts = Gen.Elements(Fragments).ListOf().Select(parts => string.Concat(parts)).ToArbitrary();

        Prop.ForAll(texts, text =>
        {
            var problems = new List<TenantProblem>();
            var root = YamlDocumentReader.Read(text, new ProblemSink("f.yaml", "t", problems));
            return root is not null || problems.Any(p => p.Severity == ProblemSeverity.Error);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Any_tokens_as_a_whole_tenant_file_load_without_throwing()
    {
        var texts = Gen.Elements(Fragments).ListOf().Select(parts => string.Concat(parts)).ToArbitrary();
        using var tenants = new TempTenants();

        Prop.ForAll(texts, text =>
        {
            tenants.Write("t/tenant.yaml", text);
            var registry = tenants.Load();
            return registry.Find("t") is null || registry.Problems.All(p => p.Severity == ProblemSeverity.Warning);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Scanner_failures_that_are_not_yaml_exceptions_are_reported()
    {
        // Input found by fuzzing: YamlDotNet's scanner throws InvalidOperationException on it.
        const string text = "!!str   -1>workspaces- daily_cap_usd:\u00e9:: !!str {workspaces1null\n.inf\"}1\":";
        var problems = new List<TenantProblem>();

        Assert.Null(YamlDocumentReader.Read(text, new ProblemSink("f.yaml", "t", problems)));

        Assert.Contains("YAML syntax error", Assert.Single(problems).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Self_referencing_anchors_and_deep_nesting_are_reported()
    {
        var problems = new List<TenantProblem>();
        var sink = new ProblemSink("f.yaml", "t", problems);

        Assert.Null(YamlDocumentReader.Read("a: &x [1, *x]\n", sink));
        Assert.Null(YamlDocumentReader.Read(new string('[', 500) + new string(']', 500), sink));

        Assert.Contains(problems, p => p.Message.Contains("names no anchor defined before it", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Message.Contains($"deeper than {YamlDocumentReader.MaxDepth} levels", StringComparison.Ordinal));
    }

    [Fact]
    public void Anchors_and_aliases_are_followed()
    {
        using var tenants = new TempTenants();
        var registry = tenants
            .Write("t/tenant.yaml", "workspaces:\n  a:\n    budgets: &caps { daily_cap_usd: 3 }\n  b:\n    budgets: *caps\n")
            .Load();

        Assert.Empty(registry.Problems);
        Assert.Equal(3m, registry.GetEffectiveLimits("t", "b").DailyCapUsd);
    }

    [Theory]
    [InlineData("10000000000000000", true)]
    [InlineData("18446744073709551615", true)]
    [InlineData("18446744073709551616", false)]
    [InlineData("1000000000000000", false)]
    [InlineData("123456789012345678a", false)]
    [InlineData("+12345678901234567", false)]
    [InlineData("00000000000000000", false)]
    public void Snowflake_rule(string text, bool valid)
        => Assert.Equal(valid, Identifiers.TryParseSnowflake(text, out _));

    [Theory]
    [InlineData("acme", true)]
    [InlineData("guild-of-makers", true)]
    [InlineData("9lives", true)]
    [InlineData("-acme", false)]
    [InlineData("Acme", false)]
    [InlineData("acme_corp", false)]
    [InlineData("", false)]
    [InlineData("a234567890123456789012345678901234567890123456789012345678901234", false)]
    [InlineData("a23456789012345678901234567890123456789012345678901234567890123", true)]
    public void Slug_rule(string text, bool valid) => Assert.Equal(valid, Identifiers.IsSlug(text));
}
