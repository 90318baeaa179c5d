using System.Text.RegularExpressions;

namespace OrleansTenancy.Deploy.Tests.Grafana;

/// <summary>The samples of a Prometheus text exposition: each series name with the label sets it was seen with.</summary>
public sealed partial class Exposition
{
    private readonly Dictionary<string, List<IReadOnlyDictionary<string, string>>> _series = new(StringComparer.Ordinal);

    public Exposition(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        Text = text;
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var brace = line.IndexOf('{', StringComparison.Ordinal);
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            var name = brace >= 0 && brace < space ? line[..brace] : line[..space];
            var labels = brace >= 0 && brace < space
                ? Label().Matches(line[brace..line.LastIndexOf('}')]).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value, StringComparer.Ordinal)
                : [];
            if (!_series.TryGetValue(name, out var sets))
            {
                _series[name] = sets = [];
            }

            sets.Add(labels);
        }
    }

    /// <summary>The exposition as scraped.</summary>
    public string Text { get; }

    /// <summary>Every series name that has at least one sample (histograms as <c>_bucket</c>, <c>_sum</c>, <c>_count</c>).</summary>
    public IReadOnlyCollection<string> Names => _series.Keys;

    /// <summary>The label sets of <paramref name="name"/>'s samples; empty when it has none.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, string>> Series(string name) => _series.TryGetValue(name, out var sets) ? sets : [];

    [GeneratedRegex("""([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)" """, RegexOptions.IgnorePatternWhitespace)]
    private static partial Regex Label();
}
