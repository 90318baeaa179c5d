using OrleansTenancy.Silo.Tests.Observability;
using YamlDotNet.RepresentationModel;

namespace OrleansTenancy.Deploy.Tests.Grafana;

/// <summary><c>deploy/grafana/tenancy-alerts.yml</c>: promtool's checks, its unit tests, and the series it reads on a live silo.</summary>
[Collection(MetricsSiloCollection.Name)]
public sealed class AlertRulesTests(MetricsSilo silo)
{
    [Fact]
    public async Task Promtool_accepts_the_rules()
    {
        var (exitCode, output) = await Promtool.RunAsync(["check", "rules", GrafanaFiles.Rules]);

        Assert.True(exitCode == 0, $"promtool check rules exited {exitCode}:\n{output}");
        Assert.Contains($"SUCCESS: {Alerts().Count} rules found", output);
    }

    [Fact]
    public async Task The_example_prometheus_configuration_scrapes_the_job_the_rules_expect_and_loads_them()
    {
        var (exitCode, output) = await Promtool.RunAsync(["check", "config", Path.Combine(GrafanaFiles.Folder, "prometheus.example.yml")]);

        Assert.True(exitCode == 0, $"promtool check config exited {exitCode}:\n{output}");
        Assert.Contains("SUCCESS: 1 rule files found", output);
        Assert.Contains("job_name: orleans-tenancy", await File.ReadAllTextAsync(Path.Combine(GrafanaFiles.Folder, "prometheus.example.yml")));
    }

    [Fact]
    public async Task Each_alert_fires_at_its_threshold_and_not_below_it_in_promtools_unit_tests()
    {
        var (exitCode, output) = await Promtool.RunAsync(["test", "rules", GrafanaFiles.RuleTests]);

        Assert.True(exitCode == 0, $"promtool test rules exited {exitCode}:\n{output}");
    }

    [Fact]
    public void The_unit_tests_cover_every_alert_both_firing_and_silent()
    {
        var tests = new YamlStream();
        tests.Load(new StringReader(File.ReadAllText(GrafanaFiles.RuleTests)));
        var cases = ((YamlSequenceNode)((YamlMappingNode)tests.Documents[0].RootNode)["tests"])
            .SelectMany(t => (YamlSequenceNode)((YamlMappingNode)t)["alert_rule_test"])
            .Cast<YamlMappingNode>()
            .Select(c => (Alert: ((YamlScalarNode)c["alertname"]).Value!, Fires: ((YamlSequenceNode)c["exp_alerts"]).Children.Count > 0))
            .ToList();

        Assert.Equal(["NoSiloUp", "SiloDown", "TenancyFallbackRateHigh", "TenantBudgetExhausted", "TenantBudgetNearLimit", "UpstreamErrorRateHigh"], Alerts().Keys.Order());
        foreach (var alert in Alerts().Keys)
        {
            Assert.True(cases.Contains((alert, true)), $"no unit test expects {alert} to fire");
            Assert.True(cases.Contains((alert, false)), $"no unit test expects {alert} to stay silent");
        }
    }

    [Fact]
    public void Every_alert_has_a_severity_a_summary_and_a_description()
    {
        foreach (var (name, rule) in Alerts())
        {
            var labels = (YamlMappingNode)rule["labels"];
            var annotations = (YamlMappingNode)rule["annotations"];
            Assert.Contains(((YamlScalarNode)labels["severity"]).Value, new[] { "warning", "critical" });
            Assert.False(string.IsNullOrWhiteSpace(((YamlScalarNode)annotations["summary"]).Value), name);
            Assert.False(string.IsNullOrWhiteSpace(((YamlScalarNode)annotations["description"]).Value), name);
        }
    }

    [Fact]
    public void Every_rule_reads_only_series_and_labels_a_live_silo_exports()
    {
        var problems = Alerts().SelectMany(a => ExportedSeries.Problems($"alert {a.Key}", ((YamlScalarNode)a.Value["expr"]).Value!, silo.Scrape)).ToList();

        Assert.True(problems.Count == 0, string.Join("\n", problems) + $"\nScrape:\n{silo.Scrape.Text}");
    }

    [Fact]
    public void Every_remaining_budget_series_has_a_limit_series_with_the_same_labels()
    {
        // The budget alerts divide one gauge by the other series by series; a label on one only would match nothing.
        static string Key(IReadOnlyDictionary<string, string> labels) => string.Join(",", labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"));

        var remaining = silo.Scrape.Series("tenant_budget_remaining_usd").Select(Key).Order().ToList();
        var limits = silo.Scrape.Series("tenant_budget_limit_usd").Select(Key).Order().ToList();

        Assert.Contains("period=day,tenant=acme,workspace=*", remaining);
        Assert.Equal(remaining, limits);
    }

    private static Dictionary<string, YamlMappingNode> Alerts()
    {
        var rules = new YamlStream();
        rules.Load(new StringReader(File.ReadAllText(GrafanaFiles.Rules)));
        return ((YamlSequenceNode)((YamlMappingNode)rules.Documents[0].RootNode)["groups"])
            .SelectMany(g => (YamlSequenceNode)((YamlMappingNode)g)["rules"])
            .Cast<YamlMappingNode>()
            .ToDictionary(r => ((YamlScalarNode)r["alert"]).Value!);
    }
}
