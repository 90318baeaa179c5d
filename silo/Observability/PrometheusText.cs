using System.Globalization;
using System.Text;

namespace OrleansTenancy.Silo.Observability;

/// <summary>
/// The text exposition format 0.0.4: name sanitizing, escaping, number formatting and family rendering.
/// Output is deterministic (families by name, series by labels) so scrapes diff cleanly and tests can
/// compare exact text.
/// </summary>
internal static class PrometheusText
{
    private const string TotalSuffix = "_total";

    /// <summary>
    /// Turns an instrument name into a metric name that <c>promtool check metrics</c> accepts: camelCase
    /// becomes snake_case, characters outside [a-z0-9_] become '_', a leading digit gets a '_' prefix;
    /// counters end in <c>_total</c> exactly once and other types never do.
    /// </summary>
    public static string MetricName(string instrumentName, PrometheusType type)
    {
        var name = SnakeCase(instrumentName);
        if (type == PrometheusType.Counter)
            return name.EndsWith(TotalSuffix, StringComparison.Ordinal) ? name : name + TotalSuffix;
        while (name.EndsWith(TotalSuffix, StringComparison.Ordinal) && name.Length > TotalSuffix.Length)
            name = name[..^TotalSuffix.Length];
        return name;
    }

    /// <summary>Turns a tag key into a label name: snake_case, [a-z0-9_], no leading digit.</summary>
    public static string LabelName(string tagKey) => SnakeCase(tagKey);

    /// <summary>Escapes a label value: backslash, double quote and line feed.</summary>
    public static string EscapeLabelValue(string value)
    {
        if (value.AsSpan().IndexOfAny('\\', '"', '\n') < 0)
            return value;
        return value.Replace("\\", "\\\\", StringComparison.Ordinal)
            .Replace("\"", "\\\"", StringComparison.Ordinal)
            .Replace("\n", "\\n", StringComparison.Ordinal);
    }

    /// <summary>Escapes HELP text: backslash and line feed (quotes are literal there).</summary>
    public static string EscapeHelp(string help) =>
        help.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    public static string FormatNumber(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        _ when double.IsNaN(value) => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    /// <summary>
    /// Renders tags as sorted <c>name="value"</c> pairs. Tags with an empty value are left out, as
    /// Prometheus treats an empty label as absent; a repeated label name keeps its first value.
    /// </summary>
    public static string RenderLabels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.IsEmpty)
            return string.Empty;
        var pairs = new List<KeyValuePair<string, string>>(tags.Length);
        foreach (var tag in tags)
        {
            var value = FormatTagValue(tag.Value);
            if (value.Length == 0)
                continue;
            var name = LabelName(tag.Key);
            if (!pairs.Exists(p => p.Key == name))
                pairs.Add(new(name, value));
        }

        pairs.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        var builder = new StringBuilder();
        foreach (var (name, value) in pairs)
        {
            if (builder.Length > 0)
                builder.Append(',');
            builder.Append(name).Append("=\"").Append(EscapeLabelValue(value)).Append('"');
        }

        return builder.ToString();
    }

    public static void WriteFamily(StringBuilder output, MetricFamily family, IReadOnlyList<MetricSeries> series)
    {
        output.Append("# HELP ").Append(family.Name).Append(' ').Append(EscapeHelp(family.Help)).Append('\n');
        output.Append("# TYPE ").Append(family.Name).Append(' ').Append(TypeName(family.Type)).Append('\n');
        foreach (var one in series)
        {
            switch (family.Aggregation)
            {
                case Aggregation.Sum:
                    var value = one.SumIsIntegral ? one.IntegralSum.ToString(CultureInfo.InvariantCulture) : FormatNumber(one.Sum);
                    WriteSample(output, family.Name, one.Labels, null, value);
                    break;
                case Aggregation.LastValue:
                    WriteSample(output, family.Name, one.Labels, null, FormatNumber(one.LastValue));
                    break;
                default:
                    WriteHistogram(output, family, one);
                    break;
            }
        }
    }

    private static void WriteHistogram(StringBuilder output, MetricFamily family, MetricSeries series)
    {
        // The count is derived from the same bucket snapshot, so +Inf and _count always agree.
        var counts = series.SnapshotBuckets();
        var bucketName = family.Name + "_bucket";
        long cumulative = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            cumulative += counts[i];
            var bound = i < family.BucketBounds.Length ? FormatNumber(family.BucketBounds[i]) : "+Inf";
            WriteSample(output, bucketName, series.Labels, bound, cumulative.ToString(CultureInfo.InvariantCulture));
        }

        WriteSample(output, family.Name + "_sum", series.Labels, null, FormatNumber(series.Sum));
        WriteSample(output, family.Name + "_count", series.Labels, null, cumulative.ToString(CultureInfo.InvariantCulture));
    }

    private static void WriteSample(StringBuilder output, string name, string labels, string? le, string value)
    {
        output.Append(name);
        if (labels.Length > 0 || le is not null)
        {
            output.Append('{').Append(labels);
            if (le is not null)
                output.Append(labels.Length > 0 ? ",le=\"" : "le=\"").Append(le).Append('"');
            output.Append('}');
        }

        output.Append(' ').Append(value).Append('\n');
    }

    private static string TypeName(PrometheusType type) => type switch
    {
        PrometheusType.Counter => "counter",
        PrometheusType.Histogram => "histogram",
        _ => "gauge",
    };

    private static string FormatTagValue(object? value) => value switch
    {
        null => string.Empty,
        string text => text,
        bool flag => flag ? "true" : "false",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    private static string SnakeCase(string name)
    {
        var builder = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsAsciiLetterUpper(c))
            {
                // A word boundary in camelCase ("requestCount", "HTTPServer" keeps "http" together).
                if (i > 0 && (char.IsAsciiLetterLower(name[i - 1]) || char.IsAsciiDigit(name[i - 1])))
                    builder.Append('_');
                builder.Append(char.ToLowerInvariant(c));
            }
            else if (char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_')
            {
                builder.Append(c);
            }
            else
            {
                builder.Append('_');
            }
        }

        if (builder.Length == 0 || char.IsAsciiDigit(builder[0]))
            builder.Insert(0, '_');
        return builder.ToString();
    }
}
