namespace OrleansTenancy.Deploy.Tests.Grafana;

/// <summary>Checks that PromQL read by the dashboard and the alert rules names only series and labels a live silo exports.</summary>
public static class ExportedSeries
{
    /// <summary>Series Prometheus itself records for every target; no silo exports them.</summary>
    public static readonly IReadOnlySet<string> MadeByPrometheus = new HashSet<string>(StringComparer.Ordinal) { "up" };

    /// <summary>Labels Prometheus attaches to every series it scrapes (the target's), absent from the exposition.</summary>
    public static readonly IReadOnlySet<string> TargetLabels = new HashSet<string>(StringComparer.Ordinal) { "job", "instance" };

    /// <summary>
    /// Orleans' series the dashboard reads: the Orleans 10.4.2 instruments <c>orleans-catalog-activations</c>,
    /// <c>orleans-grains</c> and <c>orleans-storage-write-latency</c> as the exporter names them. A silo that exports
    /// Orleans' meter is checked like any other; until a silo exports any <c>orleans_</c> series, these names are the
    /// only ones allowed, so that a new one cannot slip in unchecked.
    /// </summary>
    public static readonly IReadOnlySet<string> Orleans = new HashSet<string>(StringComparer.Ordinal)
    {
        "orleans_catalog_activations", "orleans_grains", "orleans_storage_write_latency_bucket",
    };

    /// <summary>What is wrong with the series <paramref name="expression"/> reads; empty when every one is exported.</summary>
    /// <param name="where">Names the expression in messages (a panel title, an alert name).</param>
    /// <param name="expression">The PromQL.</param>
    /// <param name="scrape">A live scrape of the silo.</param>
    public static IEnumerable<string> Problems(string where, string expression, Exposition scrape)
    {
        ArgumentNullException.ThrowIfNull(scrape);
        var exportsOrleans = scrape.Names.Any(n => n.StartsWith("orleans_", StringComparison.Ordinal));
        foreach (var selector in PromQl.Selectors(expression))
        {
            if (selector.Metric.Length == 0)
            {
                yield return $"{where}: a selector without a metric name in `{expression}`";
                continue;
            }

            if (MadeByPrometheus.Contains(selector.Metric))
            {
                continue;
            }

            if (selector.Metric.StartsWith("orleans_", StringComparison.Ordinal) && !exportsOrleans)
            {
                if (!Orleans.Contains(selector.Metric))
                {
                    yield return $"{where}: {selector.Metric} is not one of the Orleans series this check knows ({string.Join(", ", Orleans)})";
                }

                continue;
            }

            var series = scrape.Series(selector.Metric);
            if (series.Count == 0)
            {
                yield return $"{where}: the silo exports no series named {selector.Metric} (read by `{expression}`)";
                continue;
            }

            foreach (var label in selector.Labels.Where(l => !TargetLabels.Contains(l)))
            {
                if (!series.Any(s => s.ContainsKey(label)))
                {
                    yield return $"{where}: no {selector.Metric} series has a label '{label}' (labels seen: {string.Join(", ", series.SelectMany(s => s.Keys).Distinct().Order())})";
                }
            }
        }
    }
}
