using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansTenancy.Grains.Telemetry;
using OrleansTenancy.Silo.Observability;
using OrleansTenancy.Tenancy;

namespace OrleansTenancy.Silo.Tests.Observability;

public sealed class MetricsEndpointTests
{
    [Fact]
    public async Task Live_metrics_endpoint_serves_every_llm_metric_in_text_format_that_promtool_accepts()
    {
        await using var app = await StartAppAsync();
        var metrics = app.Services.GetRequiredService<LlmMetrics>();
        var acme = new TenantContext("acme", "research");
        metrics.RecordFallback(TenantContext.Default, "openrouter_service");
        metrics.RecordModelSelected(acme, "chat", "openai/gpt-4o", "OpenAI");
        metrics.RecordRequest(acme, "openai/gpt-4o", "ok", TimeSpan.FromMilliseconds(730), 100, 20, 0.02m, 0.0125m, "OpenAI");
        metrics.RecordRequest(TenantContext.Default, "openai/gpt-4o", "error", TimeSpan.FromSeconds(31), 0, 0, 0.02m, 0m);
        metrics.RecordCacheHit(acme, "openai/gpt-4o");
        metrics.RecordCacheMiss(acme, "openai/gpt-4o");
        metrics.RecordBudgetRejection(acme, "daily_cap_usd");
        metrics.SetBudgetRemaining("acme", LlmMetrics.TenantWide, "day", 4.5m);
        metrics.SetBudgetRemaining("acme", "research", "day", 1.5m);
        metrics.SetBudgetLimit("acme", LlmMetrics.TenantWide, "day", 10m);
        metrics.RecordBudgetAlert("acme", LlmMetrics.TenantWide, "daily_cap_usd", 80m);

        // Runtime-style instruments from another meter under the prefix, including an observable one.
        using var runtimeMeter = new Meter("OrleansTenancy.Test.Runtime." + Guid.NewGuid().ToString("N"));
        runtimeMeter.CreateCounter<long>("grain_calls_total", description: "Grain calls.").Add(3, new KeyValuePair<string, object?>("grain_type", "Cart"));
        runtimeMeter.CreateObservableGauge("silo_activations", () => 12, description: "Active grains.");
        runtimeMeter.CreateHistogram<double>("grain_call_seconds", "s", "Grain call latency.").Record(0.002);

        using var client = new HttpClient { BaseAddress = BaseAddress(app) };
        // As Prometheus asks: OpenMetrics first; the text format is served.
        using var scrape = new HttpRequestMessage(HttpMethod.Get, new Uri("/metrics", UriKind.Relative));
        scrape.Headers.TryAddWithoutValidation("Accept", "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1");
        using var response = await client.SendAsync(scrape);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("0.0.4", response.Content.Headers.ContentType.Parameters.Single(p => p.Name == "version").Value);
        foreach (var family in new[]
        {
            "tenancy_fallback_total counter", "llm_requests_total counter", "llm_model_selected_total counter",
            "llm_estimated_cost_usd_total counter", "llm_cost_usd_total counter", "llm_tokens_total counter",
            "llm_latency_seconds histogram", "llm_cache_hits_total counter", "llm_cache_misses_total counter",
            "llm_budget_rejections_total counter", "tenant_budget_remaining_usd gauge", "tenant_budget_limit_usd gauge",
            "tenant_budget_alerts_total counter",
            "grain_calls_total counter", "silo_activations gauge", "grain_call_seconds histogram",
        })
        {
            Assert.Contains("# TYPE " + family + "\n", body, StringComparison.Ordinal);
        }

        Assert.Contains("tenancy_fallback_total{component=\"openrouter_service\",tenant=\"default\",workspace=\"main\"} 1\n", body, StringComparison.Ordinal);
        Assert.Contains("llm_latency_seconds_bucket{model=\"openai/gpt-4o\",status=\"error\",tenant=\"default\",workspace=\"main\",le=\"30\"} 0\n", body, StringComparison.Ordinal);
        Assert.Contains("llm_latency_seconds_bucket{model=\"openai/gpt-4o\",status=\"error\",tenant=\"default\",workspace=\"main\",le=\"60\"} 1\n", body, StringComparison.Ordinal);
        Assert.Contains("tenant_budget_remaining_usd{period=\"day\",tenant=\"acme\",workspace=\"*\"} 4.5\n", body, StringComparison.Ordinal);
        Assert.Contains("tenant_budget_remaining_usd{period=\"day\",tenant=\"acme\",workspace=\"research\"} 1.5\n", body, StringComparison.Ordinal);
        Assert.Contains("tenant_budget_alerts_total{limit=\"daily_cap_usd\",tenant=\"acme\",threshold=\"80\",workspace=\"*\"} 1\n", body, StringComparison.Ordinal);
        Assert.Contains("tenant_budget_limit_usd{period=\"day\",tenant=\"acme\",workspace=\"*\"} 10\n", body, StringComparison.Ordinal);
        Assert.DoesNotContain("unknown", body, StringComparison.Ordinal);
        Assert.DoesNotContain("otel_scope", body, StringComparison.Ordinal);
        Assert.DoesNotContain("target_info", body, StringComparison.Ordinal);

        var (exitCode, output) = await Promtool.CheckMetricsAsync(body);
        Assert.True(exitCode == 0 && output.Length == 0, $"promtool check metrics exited {exitCode} with:\n{output}\non:\n{body}");
    }

    [Fact]
    public async Task Each_host_in_a_process_serves_its_own_series_only()
    {
        await using var first = await StartAppAsync();
        await using var second = await StartAppAsync();
        foreach (var (host, remaining) in new[] { (first, 4.5m), (second, 7.25m) })
        {
            var metrics = host.Services.GetRequiredService<LlmMetrics>();
            metrics.SetBudgetRemaining("acme", LlmMetrics.TenantWide, "day", remaining);
            metrics.RecordBudgetRejection(new TenantContext("acme", "research"), "daily_cap_usd");
        }

        using var firstClient = new HttpClient { BaseAddress = BaseAddress(first) };
        using var secondClient = new HttpClient { BaseAddress = BaseAddress(second) };
        var firstBody = await firstClient.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        var secondBody = await secondClient.GetStringAsync(new Uri("/metrics", UriKind.Relative));

        const string Remaining = "tenant_budget_remaining_usd{period=\"day\",tenant=\"acme\",workspace=\"*\"} ";
        const string Rejections = "llm_budget_rejections_total{reason=\"daily_cap_usd\",tenant=\"acme\",workspace=\"research\"} ";
        Assert.Contains(Remaining + "4.5\n", firstBody, StringComparison.Ordinal);
        Assert.DoesNotContain(Remaining + "7.25\n", firstBody, StringComparison.Ordinal);
        Assert.Contains(Remaining + "7.25\n", secondBody, StringComparison.Ordinal);
        Assert.DoesNotContain(Remaining + "4.5\n", secondBody, StringComparison.Ordinal);
        Assert.Contains(Rejections + "1\n", firstBody, StringComparison.Ordinal);
        Assert.Contains(Rejections + "1\n", secondBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_endpoint_answers_only_get()
    {
        await using var app = await StartAppAsync();
        using var client = new HttpClient { BaseAddress = BaseAddress(app) };

        using var response = await client.PostAsync(new Uri("/metrics", UriKind.Relative), new StringContent(""));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }

    [Fact]
    public async Task Mapping_the_endpoint_without_registering_metrics_says_what_to_call()
    {
        var builder = WebApplication.CreateSlimBuilder();
        await using var app = builder.Build();

        var error = Assert.Throws<InvalidOperationException>(() => app.MapPrometheusMetrics("/metrics"));
        Assert.Contains("AddTenancyMetrics", error.Message, StringComparison.Ordinal);
    }

    private static async Task<WebApplication> StartAppAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Services.AddTenancyMetrics(new ConfigurationBuilder().Build());
        var app = builder.Build();
        app.MapPrometheusMetrics("/metrics");
        await app.StartAsync();
        return app;
    }

    private static Uri BaseAddress(WebApplication app) =>
        new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
}
