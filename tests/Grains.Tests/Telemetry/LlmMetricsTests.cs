using System.Diagnostics.Metrics;
using OrleansTenancy.Grains.Telemetry;
using OrleansTenancy.Tenancy;

namespace OrleansTenancy.Grains.Tests.Telemetry;

public sealed class LlmMetricsTests : IDisposable
{
    private static readonly TenantContext Acme = new("acme", "research");

    private readonly LlmMetrics _metrics = new();
    private readonly MeasurementRecorder _recorder;

    public LlmMetricsTests() => _recorder = new MeasurementRecorder(_metrics.Meter);

    public void Dispose()
    {
        _recorder.Dispose();
        _metrics.Dispose();
    }

    [Fact]
    public void Meter_is_named_for_export_by_prefix()
    {
        Assert.Equal("OrleansTenancy.Llm", _metrics.Meter.Name);
        Assert.Equal(LlmMetrics.MeterName, _metrics.Meter.Name);
    }

    [Fact]
    public void RecordRequest_emits_count_latency_tokens_and_costs_with_their_label_sets()
    {
        _metrics.RecordRequest(Acme, "openai/gpt-4o", "ok", TimeSpan.FromMilliseconds(1500),
            promptTokens: 120, completionTokens: 30, estimatedCostUsd: 0.25m, costUsd: 0.125m, provider: "OpenAI");

        var request = Assert.Single(_recorder.Of("llm_requests_total"));
        Assert.Equal(1, request.Value);
        Assert.Equal("model=openai/gpt-4o,status=ok,tenant=acme,workspace=research", request.TagText);

        var latency = Assert.Single(_recorder.Of("llm_latency_seconds"));
        Assert.Equal(1.5, latency.Value);
        Assert.Equal("model=openai/gpt-4o,status=ok,tenant=acme,workspace=research", latency.TagText);

        var tokens = _recorder.Of("llm_tokens_total").OrderBy(m => m.TagText, StringComparer.Ordinal).ToList();
        Assert.Equal(2, tokens.Count);
        Assert.Equal("direction=completion,model=openai/gpt-4o,tenant=acme,workspace=research", tokens[0].TagText);
        Assert.Equal(30, tokens[0].Value);
        Assert.Equal("direction=prompt,model=openai/gpt-4o,tenant=acme,workspace=research", tokens[1].TagText);
        Assert.Equal(120, tokens[1].Value);

        var estimated = Assert.Single(_recorder.Of("llm_estimated_cost_usd_total"));
        Assert.Equal(0.25, estimated.Value);
        Assert.Equal("model=openai/gpt-4o,provider=OpenAI,tenant=acme,workspace=research", estimated.TagText);
        var settled = Assert.Single(_recorder.Of("llm_cost_usd_total"));
        Assert.Equal(0.125, settled.Value);
        Assert.Equal(estimated.TagText, settled.TagText);
    }

    [Fact]
    public void RecordRequest_without_a_known_provider_leaves_the_provider_label_off_the_cost_series()
    {
        _metrics.RecordRequest(Acme, "m", "error", TimeSpan.Zero, 0, 0, 0.01m, 0m);

        Assert.Equal("model=m,tenant=acme,workspace=research", Assert.Single(_recorder.Of("llm_cost_usd_total")).TagText);
    }

    [Fact]
    public void Fallback_context_labels_every_metric_default_main_never_unknown()
    {
        var fallback = TenantContext.Default;
        _metrics.RecordFallback(fallback, "openrouter_service");
        _metrics.RecordModelSelected(fallback, "chat", "m", "p");
        _metrics.RecordRequest(fallback, "m", "ok", TimeSpan.FromSeconds(1), 1, 1, 0.1m, 0.1m, "p");
        _metrics.RecordCacheHit(fallback, "m");
        _metrics.RecordCacheMiss(fallback, "m");
        _metrics.RecordBudgetRejection(fallback, "daily_cap_usd");

        var all = _recorder.Measurements;
        Assert.Equal(11, all.Count);
        Assert.All(all, m =>
        {
            Assert.Contains(new KeyValuePair<string, string?>("tenant", "default"), m.Tags);
            Assert.Contains(new KeyValuePair<string, string?>("workspace", "main"), m.Tags);
        });
        Assert.Equal("component=openrouter_service,tenant=default,workspace=main",
            Assert.Single(_recorder.Of("tenancy_fallback_total")).TagText);
    }

    [Fact]
    public void Selection_cache_and_rejection_counters_have_their_exact_names_and_labels()
    {
        _metrics.RecordModelSelected(Acme, "summarize", "anthropic/claude", "Anthropic");
        _metrics.RecordCacheHit(Acme, "anthropic/claude");
        _metrics.RecordCacheMiss(Acme, "anthropic/claude");
        _metrics.RecordBudgetRejection(Acme, "monthly_cap_usd");

        Assert.Equal("model=anthropic/claude,provider=Anthropic,task=summarize,tenant=acme,workspace=research",
            Assert.Single(_recorder.Of("llm_model_selected_total")).TagText);
        Assert.Equal("model=anthropic/claude,tenant=acme,workspace=research", Assert.Single(_recorder.Of("llm_cache_hits_total")).TagText);
        Assert.Equal("model=anthropic/claude,tenant=acme,workspace=research", Assert.Single(_recorder.Of("llm_cache_misses_total")).TagText);
        Assert.Equal("reason=monthly_cap_usd,tenant=acme,workspace=research", Assert.Single(_recorder.Of("llm_budget_rejections_total")).TagText);
    }

    [Fact]
    public void Budget_remaining_is_a_gauge_per_tenant_workspace_and_period()
    {
        _metrics.SetBudgetRemaining("acme", LlmMetrics.TenantWide, "day", 12.5m);

        var instrument = Assert.Single(_recorder.Of("tenant_budget_remaining_usd"));
        Assert.Equal(12.5, instrument.Value);
        Assert.Equal("period=day,tenant=acme,workspace=*", instrument.TagText);
    }

    [Fact]
    public void A_budget_alert_counts_once_per_tenant_workspace_limit_and_threshold()
    {
        _metrics.RecordBudgetAlert("acme", "research", "monthly_tokens", 87.5m);

        var instrument = Assert.Single(_recorder.Of("tenant_budget_alerts_total"));
        Assert.Equal(1, instrument.Value);
        Assert.Equal("limit=monthly_tokens,tenant=acme,threshold=87.5,workspace=research", instrument.TagText);
    }

    [Fact]
    public void Budget_limit_is_a_gauge_with_the_labels_of_the_remaining_budget()
    {
        _metrics.SetBudgetRemaining("acme", "research", "day", 2.5m);
        _metrics.SetBudgetLimit("acme", "research", "day", 10m);

        var limit = Assert.Single(_recorder.Of("tenant_budget_limit_usd"));
        Assert.Equal(10, limit.Value);
        Assert.Equal(Assert.Single(_recorder.Of("tenant_budget_remaining_usd")).TagText, limit.TagText);
    }

    [Fact]
    public void Instruments_have_the_kinds_the_exporter_renders_by()
    {
        var kinds = new Dictionary<string, Type>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (ReferenceEquals(instrument.Meter, _metrics.Meter))
                    kinds[instrument.Name] = instrument.GetType();
            },
        };
        listener.Start();

        Assert.Equal(typeof(Histogram<double>), kinds["llm_latency_seconds"]);
        Assert.Equal(typeof(Gauge<double>), kinds["tenant_budget_remaining_usd"]);
        Assert.Equal(typeof(Gauge<double>), kinds["tenant_budget_limit_usd"]);
        Assert.Equal(typeof(Counter<long>), kinds["llm_requests_total"]);
        Assert.Equal(typeof(Counter<double>), kinds["llm_cost_usd_total"]);
        Assert.Equal(typeof(Counter<long>), kinds["tenant_budget_alerts_total"]);
        Assert.Equal(13, kinds.Count);
    }

    [Fact]
    public void Latency_histogram_advises_buckets_from_five_milliseconds_to_a_minute()
    {
        Histogram<double>? latency = null;
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (ReferenceEquals(instrument.Meter, _metrics.Meter) && instrument is Histogram<double> h)
                    latency = h;
            },
        };
        listener.Start();

        var bounds = latency!.Advice!.HistogramBucketBoundaries!;
        Assert.Equal(0.005, bounds[0]);
        Assert.Equal(60, bounds[^1]);
        Assert.Equal(bounds.Order().ToList(), bounds);
    }

    [Fact]
    public void A_missing_context_is_rejected_not_recorded()
    {
        var error = Assert.Throws<ArgumentException>(() => _metrics.RecordCacheHit(default, "m"));
        Assert.Contains("TenantContext.Default", error.Message, StringComparison.Ordinal);
        Assert.Empty(_recorder.Measurements);
    }

    [Fact]
    public void Negative_usage_is_rejected_before_anything_is_recorded()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            _metrics.RecordRequest(Acme, "m", "ok", TimeSpan.FromSeconds(1), -1, 0, 0m, 0m));
        Assert.Empty(_recorder.Measurements);
    }

    [Fact]
    public void A_meter_from_a_factory_is_the_factorys_to_dispose()
    {
        using var factory = new TestMeterFactory();
        var metrics = new LlmMetrics(factory);
        metrics.Dispose();

        Assert.Same(factory.Created.Single(), metrics.Meter);
        using var recorder = new MeasurementRecorder(metrics.Meter);
        metrics.RecordCacheMiss(Acme, "m");
        Assert.Single(recorder.Measurements);
    }

    private sealed class TestMeterFactory : IMeterFactory
    {
        public List<Meter> Created { get; } = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options.Name, options.Version, options.Tags, scope: this);
            Created.Add(meter);
            return meter;
        }

        public void Dispose() => Created.ForEach(m => m.Dispose());
    }
}
