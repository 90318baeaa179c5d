using System.Diagnostics;
using System.Diagnostics.Metrics;
using OrleansTenancy.Silo.Observability;

namespace OrleansTenancy.Silo.Tests.Observability;

/// <summary>Exact exposition text for known measurements. Each test owns a meter with a unique name.</summary>
public sealed class PrometheusTextFormatTests : IDisposable
{
    private readonly string _meterName = "Test.Format." + Guid.NewGuid().ToString("N");
    private readonly Meter _meter;
    private readonly PrometheusMetricsCollector _collector;

    public PrometheusTextFormatTests()
    {
        _collector = new PrometheusMetricsCollector([_meterName]);
        _meter = new Meter(_meterName);
    }

    public void Dispose()
    {
        _meter.Dispose();
        _collector.Dispose();
    }

    [Fact]
    public void Counter_sums_per_label_set_and_escapes_label_values_and_help()
    {
        var counter = _meter.CreateCounter<long>("requests", description: "Requests \"served\"\nper tenant \\ path");
        counter.Add(2, new TagList { { "tenant", "a\"b" }, { "path", "c:\\d" } });
        counter.Add(3, new TagList { { "tenant", "a\"b" }, { "path", "c:\\d" } });
        counter.Add(1, new TagList { { "tenant", "line1\nline2" }, { "path", "/" } });

        Assert.Equal(
            "# HELP requests_total Requests \"served\"\\nper tenant \\\\ path\n" +
            "# TYPE requests_total counter\n" +
            "requests_total{path=\"/\",tenant=\"line1\\nline2\"} 1\n" +
            "requests_total{path=\"c:\\\\d\",tenant=\"a\\\"b\"} 5\n",
            _collector.Scrape());
    }

    [Fact]
    public void Histogram_buckets_are_cumulative_with_inf_sum_and_count()
    {
        var histogram = _meter.CreateHistogram("latency_seconds", "s", "Latency.", tags: null,
            new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.25, 1] });
        var tags = new TagList { { "model", "m" } };
        histogram.Record(0.125, tags);
        histogram.Record(0.25, tags); // on a bound: counts in that bound's bucket ("less or equal")
        histogram.Record(0.5, tags);
        histogram.Record(4, tags);

        Assert.Equal(
            "# HELP latency_seconds Latency.\n" +
            "# TYPE latency_seconds histogram\n" +
            "latency_seconds_bucket{model=\"m\",le=\"0.25\"} 2\n" +
            "latency_seconds_bucket{model=\"m\",le=\"1\"} 3\n" +
            "latency_seconds_bucket{model=\"m\",le=\"+Inf\"} 4\n" +
            "latency_seconds_sum{model=\"m\"} 4.875\n" +
            "latency_seconds_count{model=\"m\"} 4\n",
            _collector.Scrape());
    }

    [Fact]
    public void Histogram_without_advice_uses_the_default_buckets()
    {
        _meter.CreateHistogram<double>("wait_seconds", "s", "Wait.").Record(0.007);

        var text = _collector.Scrape();

        Assert.Contains("wait_seconds_bucket{le=\"0.005\"} 0\n", text, StringComparison.Ordinal);
        Assert.Contains("wait_seconds_bucket{le=\"0.01\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("wait_seconds_bucket{le=\"10\"} 1\n", text, StringComparison.Ordinal);
        Assert.Equal(PrometheusMetricsCollector.DefaultBucketBounds.Count + 1, text.Split("wait_seconds_bucket").Length - 1);
    }

    [Fact]
    public void Gauges_keep_the_last_value_and_up_down_counters_sum_as_gauges()
    {
        var gauge = _meter.CreateGauge<double>("budget_remaining_usd", "USD", "Budget left.");
        gauge.Record(10.5, new KeyValuePair<string, object?>("tenant", "acme"));
        gauge.Record(7.25, new KeyValuePair<string, object?>("tenant", "acme"));
        var inFlight = _meter.CreateUpDownCounter<int>("inFlightRequests_total", description: "In flight.");
        inFlight.Add(3);
        inFlight.Add(-1);

        Assert.Equal(
            "# HELP budget_remaining_usd Budget left.\n" +
            "# TYPE budget_remaining_usd gauge\n" +
            "budget_remaining_usd{tenant=\"acme\"} 7.25\n" +
            "# HELP in_flight_requests In flight.\n" +
            "# TYPE in_flight_requests gauge\n" +
            "in_flight_requests 2\n",
            _collector.Scrape());
    }

    [Fact]
    public void Observable_instruments_are_read_at_scrape_and_vanish_when_they_stop_reporting()
    {
        var reported = new List<Measurement<long>> { new(4, new KeyValuePair<string, object?>("silo", "s1")) };
        _meter.CreateObservableGauge("silo_activations", () => reported, description: "Activations.");
        _meter.CreateObservableCounter("grain_calls", () => new Measurement<long>(42), description: "Calls.");

        var first = _collector.Scrape();
        reported.Clear();
        var second = _collector.Scrape();

        Assert.Contains("silo_activations{silo=\"s1\"} 4\n", first, StringComparison.Ordinal);
        Assert.Contains("# TYPE grain_calls_total counter\ngrain_calls_total 42\n", first, StringComparison.Ordinal);
        Assert.DoesNotContain("silo_activations", second, StringComparison.Ordinal);
        Assert.Contains("grain_calls_total 42\n", second, StringComparison.Ordinal);
    }

    [Fact]
    public void A_failing_observable_callback_leaves_the_rest_of_the_scrape_intact()
    {
        _meter.CreateObservableGauge("broken", long () => throw new InvalidOperationException("callback failed"), description: "Broken.");
        _meter.CreateObservableGauge("healthy", () => 1L, description: "Healthy.");
        _meter.CreateCounter<long>("events_total", description: "Events.").Add(1);

        Assert.Equal(
            "# HELP events_total Events.\n# TYPE events_total counter\nevents_total 1\n" +
            "# HELP healthy Healthy.\n# TYPE healthy gauge\nhealthy 1\n",
            _collector.Scrape());
    }

    [Fact]
    public void Names_are_sanitized_counters_end_in_total_once_and_families_are_ordered()
    {
        _meter.CreateCounter<long>("zeta.events_total", description: "Z.").Add(1);
        _meter.CreateCounter<long>("http.serverRequests", description: "H.").Add(1, new KeyValuePair<string, object?>("grain-type", "Cart"));
        _meter.CreateCounter<double>("9lives", description: "Nine.").Add(0.5);

        Assert.Equal(
            "# HELP _9lives_total Nine.\n" +
            "# TYPE _9lives_total counter\n" +
            "_9lives_total 0.5\n" +
            "# HELP http_server_requests_total H.\n" +
            "# TYPE http_server_requests_total counter\n" +
            "http_server_requests_total{grain_type=\"Cart\"} 1\n" +
            "# HELP zeta_events_total Z.\n" +
            "# TYPE zeta_events_total counter\n" +
            "zeta_events_total 1\n",
            _collector.Scrape());
    }

    [Fact]
    public void Tag_order_does_not_split_a_series_and_empty_values_are_absent_labels()
    {
        var counter = _meter.CreateCounter<long>("calls_total", description: "Calls.");
        counter.Add(1, new TagList { { "b", "2" }, { "a", "1" } });
        counter.Add(1, new TagList { { "a", "1" }, { "b", "2" } });
        counter.Add(1, new TagList { { "a", "1" }, { "b", "2" }, { "provider", "" } });

        Assert.Equal(
            "# HELP calls_total Calls.\n# TYPE calls_total counter\ncalls_total{a=\"1\",b=\"2\"} 3\n",
            _collector.Scrape());
    }

    [Fact]
    public void Two_meters_of_one_name_add_into_one_family()
    {
        using var twin = new Meter(_meterName);
        _meter.CreateCounter<long>("hits_total", description: "Hits.").Add(2);
        twin.CreateCounter<long>("hits_total", description: "Hits.").Add(3);

        Assert.Equal("# HELP hits_total Hits.\n# TYPE hits_total counter\nhits_total 5\n", _collector.Scrape());
    }

    [Fact]
    public void Meters_outside_the_prefixes_and_families_without_samples_are_not_rendered()
    {
        using var other = new Meter("Elsewhere." + Guid.NewGuid().ToString("N"));
        other.CreateCounter<long>("foreign_total").Add(1);
        _meter.CreateCounter<long>("unused_total", description: "Never incremented.");

        Assert.Equal(string.Empty, _collector.Scrape());
    }

    [Fact]
    public void Instrument_without_description_gets_help_naming_its_meter()
    {
        _meter.CreateCounter<long>("bare_total").Add(1);

        Assert.StartsWith($"# HELP bare_total bare_total from meter {_meterName}.\n", _collector.Scrape(), StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_prefix_list_is_rejected_with_the_setting_to_fix()
    {
        var error = Assert.Throws<ArgumentException>(() => new PrometheusMetricsCollector([" "]));
        Assert.Contains("Telemetry:MeterPrefixes", error.Message, StringComparison.Ordinal);
    }
}
