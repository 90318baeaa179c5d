using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using OrleansTenancy.Silo.Tests.Observability;

namespace OrleansTenancy.Deploy.Tests.Grafana;

/// <summary><c>deploy/grafana/orleans-tenancy-dashboard.json</c> against a live silo's <c>/metrics</c> and promtool.</summary>
[Collection(MetricsSiloCollection.Name)]
public sealed partial class DashboardTests(MetricsSilo silo)
{
    private static readonly JsonObject Dashboard = JsonNode.Parse(File.ReadAllText(GrafanaFiles.Dashboard))!.AsObject();

    [Fact]
    public void The_dashboard_reads_a_chosen_prometheus_and_has_job_tenant_and_workspace_variables()
    {
        Assert.Equal("orleans-tenancy", (string?)Dashboard["uid"]);
        var variables = Dashboard["templating"]!["list"]!.AsArray().Select(v => v!.AsObject()).ToDictionary(v => (string)v["name"]!);
        Assert.Equal(["datasource", "job", "tenant", "workspace"], variables.Keys);
        Assert.Equal(("datasource", "prometheus"), ((string)variables["datasource"]["type"]!, (string)variables["datasource"]["query"]!));
        Assert.True((bool)variables["tenant"]["multi"]! && (bool)variables["tenant"]["includeAll"]!);
        Assert.Equal(".*", (string?)variables["tenant"]["allValue"]);
        Assert.Equal("orleans-tenancy", (string?)variables["job"]["current"]!["value"]);
        Assert.All(Panels().Where(p => (string?)p["type"] != "row"), p => Assert.Equal("${datasource}", (string?)p["datasource"]!["uid"]));
        Assert.All(Targets(), t => Assert.Equal("${datasource}", (string?)t.Target["datasource"]!["uid"]));
    }

    [Fact]
    public void Panels_have_unique_ids_and_do_not_overlap()
    {
        var panels = Panels().ToList();
        Assert.Equal(panels.Count, panels.Select(p => (int)p["id"]!).Distinct().Count());
        var cells = new HashSet<(int X, int Y)>();
        foreach (var panel in panels)
        {
            var grid = panel["gridPos"]!;
            var (x, y, w, h) = ((int)grid["x"]!, (int)grid["y"]!, (int)grid["w"]!, (int)grid["h"]!);
            Assert.InRange(x + w, 1, 24);
            for (var i = x; i < x + w; i++)
            {
                for (var j = y; j < y + h; j++)
                {
                    Assert.True(cells.Add((i, j)), $"panel '{panel["title"]}' overlaps another at ({i}, {j})");
                }
            }
        }
    }

    [Fact]
    public void Every_expression_reads_only_series_and_labels_a_live_silo_exports()
    {
        var problems = Targets().SelectMany(t => ExportedSeries.Problems($"panel '{t.Panel}'", t.Expr, silo.Scrape))
            .Concat(Variables().SelectMany(v => ExportedSeries.Problems($"variable '{v.Name}'", v.Query, silo.Scrape)))
            .ToList();

        Assert.True(problems.Count == 0, string.Join("\n", problems) + $"\nScrape:\n{silo.Scrape.Text}");
        // The check covers what the dashboard is for: money, outcomes, latency, cache, tokens, fallbacks, silos.
        var read = Targets().SelectMany(t => PromQl.Selectors(t.Expr)).Select(s => s.Metric).ToHashSet();
        Assert.Superset(new HashSet<string>
        {
            "llm_cost_usd_total", "llm_estimated_cost_usd_total", "tenant_budget_remaining_usd", "tenant_budget_limit_usd",
            "llm_requests_total", "llm_budget_rejections_total", "tenancy_fallback_total", "llm_latency_seconds_bucket",
            "llm_cache_hits_total", "llm_cache_misses_total", "llm_tokens_total", "llm_model_selected_total", "up",
        }.Union(ExportedSeries.Orleans).ToHashSet(), read);
    }

    [Fact]
    public void Every_tenant_series_follows_the_tenant_variable_and_llm_series_the_workspace_variable()
    {
        foreach (var (panel, expr, _) in Targets().Where(t => t.Panel != "Tenancy fallbacks"))
        {
            foreach (var selector in PromQl.Selectors(expr).Where(s => s.Metric.StartsWith("llm_", StringComparison.Ordinal) || s.Metric.StartsWith("tenant_", StringComparison.Ordinal)))
            {
                Assert.True(selector.Labels.Contains("tenant"), $"panel '{panel}': {selector.Metric} is not filtered by $tenant in `{expr}`");
                Assert.True(!selector.Metric.StartsWith("llm_", StringComparison.Ordinal) || selector.Labels.Contains("workspace"), $"panel '{panel}': {selector.Metric} is not filtered by $workspace in `{expr}`");
            }
        }

        Assert.All(Targets(), t => Assert.DoesNotMatch(TenantMatcherOtherThanVariable(), t.Expr));
    }

    [Fact]
    public async Task Every_expression_is_valid_promql()
    {
        // promtool parses recording rules, so each expression becomes one, with Grafana's variables given values.
        var rules = new JsonArray();
        var index = 0;
        foreach (var expr in Targets().Select(t => t.Expr))
        {
            var concrete = expr.Replace("$__rate_interval", "5m", StringComparison.Ordinal).Replace("$__range", "6h", StringComparison.Ordinal)
                .Replace("$tenant", "acme|beta", StringComparison.Ordinal).Replace("$workspace", "main", StringComparison.Ordinal).Replace("$job", "orleans-tenancy", StringComparison.Ordinal);
            Assert.DoesNotContain("$", concrete, StringComparison.Ordinal);
            rules.Add(new JsonObject { ["record"] = $"dashboard:expression_{index++}", ["expr"] = concrete });
        }

        var file = Path.Combine(Path.GetTempPath(), $"dashboard-expressions-{Guid.NewGuid():N}.yml");
        // JSON is YAML, and promtool reads either.
        await File.WriteAllTextAsync(file, new JsonObject { ["groups"] = new JsonArray(new JsonObject { ["name"] = "dashboard", ["rules"] = rules }) }.ToJsonString());
        try
        {
            var (exitCode, output) = await Promtool.RunAsync(["check", "rules", file]);
            Assert.True(exitCode == 0, $"promtool check rules on the dashboard's expressions exited {exitCode}:\n{output}");
            Assert.Contains($"SUCCESS: {index} rules found", output);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static IEnumerable<JsonObject> Panels()
    {
        foreach (var panel in Dashboard["panels"]!.AsArray().Select(p => p!.AsObject()))
        {
            yield return panel;
            foreach (var inner in panel["panels"]?.AsArray().Select(p => p!.AsObject()) ?? [])
            {
                yield return inner;
            }
        }
    }

    private static IEnumerable<(string Panel, string Expr, JsonObject Target)> Targets() =>
        Panels().SelectMany(p => (p["targets"]?.AsArray() ?? []).Select(t => ((string)p["title"]!, (string)t!["expr"]!, t.AsObject())));

    /// <summary>Query variables as PromQL: <c>label_values(metric{…}, label)</c> reads <c>metric{…}</c> and needs its label.</summary>
    private static IEnumerable<(string Name, string Query)> Variables()
    {
        foreach (var variable in Dashboard["templating"]!["list"]!.AsArray().Where(v => (string?)v!["type"] == "query"))
        {
            var query = (string)variable!["query"]!["query"]!;
            var match = LabelValues().Match(query);
            Assert.True(match.Success, $"variable '{variable["name"]}' has a query this test cannot read: {query}");
            var selector = match.Groups["selector"].Value;
            var label = match.Groups["label"].Value;
            var withLabel = selector.Contains('{', StringComparison.Ordinal)
                ? selector.Insert(selector.IndexOf('{', StringComparison.Ordinal) + 1, $"{label}!=\"\",")
                : $"{selector}{{{label}!=\"\"}}";
            yield return ((string)variable["name"]!, withLabel);
        }
    }

    [GeneratedRegex(@"^label_values\((?<selector>[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})?),\s*(?<label>[a-zA-Z_][a-zA-Z0-9_]*)\)$")]
    private static partial Regex LabelValues();

    [GeneratedRegex("""tenant\s*=~?\s*"(?!\$tenant")""")]
    private static partial Regex TenantMatcherOtherThanVariable();
}
