using System.Diagnostics;
using System.Diagnostics.Metrics;
using OrleansTenancy.Silo.Observability;

namespace OrleansTenancy.Silo.Tests.Observability;

public sealed class PrometheusConcurrencyTests
{
    [Fact]
    public async Task Many_threads_recording_give_exact_sums_and_counts()
    {
        var meterName = "Test.Concurrency." + Guid.NewGuid().ToString("N");
        using var collector = new PrometheusMetricsCollector([meterName]);
        using var meter = new Meter(meterName);
        var counter = meter.CreateCounter<long>("ops_total", description: "Ops.");
        var money = meter.CreateCounter<double>("usd_total", description: "Money.");
        var latency = meter.CreateHistogram("op_seconds", "s", "Latency.", tags: null,
            new InstrumentAdvice<double> { HistogramBucketBoundaries = [1] });
        const int threads = 8;
        const int perThread = 20_000;
        using var start = new Barrier(threads);

        var workers = Enumerable.Range(0, threads).Select(t => Task.Factory.StartNew(() =>
        {
            var tags = new TagList { { "shard", (t % 2).ToString(System.Globalization.CultureInfo.InvariantCulture) } };
            start.SignalAndWait();
            for (var i = 0; i < perThread; i++)
            {
                counter.Add(1, tags);
                money.Add(0.5, tags);
                latency.Record(i % 2 == 0 ? 0.5 : 2, tags);
            }
        }, TaskCreationOptions.LongRunning)).ToArray();
        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(60));

        var text = collector.Scrape();
        const int perShard = threads / 2 * perThread;
        foreach (var shard in new[] { "0", "1" })
        {
            Assert.Contains($"ops_total{{shard=\"{shard}\"}} {perShard}\n", text, StringComparison.Ordinal);
            Assert.Contains($"usd_total{{shard=\"{shard}\"}} {perShard / 2}\n", text, StringComparison.Ordinal);
            Assert.Contains($"op_seconds_bucket{{shard=\"{shard}\",le=\"1\"}} {perShard / 2}\n", text, StringComparison.Ordinal);
            Assert.Contains($"op_seconds_bucket{{shard=\"{shard}\",le=\"+Inf\"}} {perShard}\n", text, StringComparison.Ordinal);
            Assert.Contains($"op_seconds_count{{shard=\"{shard}\"}} {perShard}\n", text, StringComparison.Ordinal);
            Assert.Contains($"op_seconds_sum{{shard=\"{shard}\"}} {perShard / 2 * 0.5 + perShard / 2 * 2}\n", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Recording_a_label_set_seen_before_does_not_allocate()
    {
        var meterName = "Test.Allocation." + Guid.NewGuid().ToString("N");
        using var collector = new PrometheusMetricsCollector([meterName]);
        using var meter = new Meter(meterName);
        var counter = meter.CreateCounter<long>("ops_total", description: "Ops.");
        var latency = meter.CreateHistogram<double>("op_seconds", "s", "Latency.");
        var tags = new TagList { { "tenant", "acme" }, { "workspace", "main" }, { "model", "m" } };
        counter.Add(1, tags);
        latency.Record(0.1, tags);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            counter.Add(1, tags);
            latency.Record(0.1, tags);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 1024, $"20,000 recordings of a known label set allocated {allocated} bytes; expected none.");
        Assert.Contains("ops_total{model=\"m\",tenant=\"acme\",workspace=\"main\"} 10001\n", collector.Scrape(), StringComparison.Ordinal);
    }
}
