namespace OrleansTenancy.Deploy.Tests.Grafana;

/// <summary>A vector selector in a PromQL expression: the metric name and the labels its matchers name.</summary>
/// <param name="Metric">The metric name; empty for a selector without one (<c>{__name__=~"…"}</c>).</param>
/// <param name="Labels">The label names of its matchers, in order.</param>
public sealed record Selector(string Metric, IReadOnlyList<string> Labels);

/// <summary>
/// Just enough of PromQL's grammar to find the series an expression reads: identifiers that are not functions,
/// aggregation operators or keywords are metric names; <c>{…}</c> after one holds its matchers. Strings, range and
/// subquery brackets, numbers, Grafana variables (<c>$tenant</c>) and grouping lists (<c>by (…)</c>) are skipped.
/// </summary>
public static class PromQl
{
    private static readonly HashSet<string> Aggregations = new(StringComparer.Ordinal)
    {
        "sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values", "bottomk", "topk", "quantile", "limitk", "limit_ratio",
    };

    private static readonly HashSet<string> Grouping = new(StringComparer.Ordinal) { "by", "without", "on", "ignoring", "group_left", "group_right" };

    private static readonly HashSet<string> Keywords = new(StringComparer.OrdinalIgnoreCase) { "and", "or", "unless", "bool", "inf", "nan" };

    /// <summary>Every vector selector of <paramref name="expression"/>, in order.</summary>
    public static IReadOnlyList<Selector> Selectors(string expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        var text = expression;
        var selectors = new List<Selector>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c is '"' or '\'' or '`')
            {
                i = AfterString(text, i);
            }
            else if (c == '[')
            {
                i = text.IndexOf(']', i) + 1;
            }
            else if (c == '$' || char.IsDigit(c) || (c == '.' && i + 1 < text.Length && char.IsDigit(text[i + 1])))
            {
                i = AfterWord(text, i + 1);
            }
            else if (c == '{')
            {
                var labels = new List<string>();
                i = AfterMatchers(text, i, labels);
                selectors.Add(new Selector("", labels));
            }
            else if (char.IsLetter(c) || c is '_' or ':')
            {
                var end = AfterWord(text, i);
                var word = text[i..end];
                var next = SkipSpace(text, end);
                i = end;
                if (Grouping.Contains(word))
                {
                    i = next < text.Length && text[next] == '(' ? text.IndexOf(')', next) + 1 : end;
                }
                else if (word == "offset")
                {
                    i = AfterWord(text, SkipSpace(text, end));
                }
                else if (!Keywords.Contains(word) && !Aggregations.Contains(word) && !(next < text.Length && text[next] == '('))
                {
                    var labels = new List<string>();
                    if (next < text.Length && text[next] == '{')
                    {
                        i = AfterMatchers(text, next, labels);
                    }

                    selectors.Add(new Selector(word, labels));
                }
            }
            else
            {
                i++;
            }
        }

        return selectors;
    }

    private static int AfterMatchers(string text, int open, List<string> labels)
    {
        var i = open + 1;
        while (true)
        {
            i = SkipSpace(text, i);
            if (i >= text.Length)
            {
                throw new FormatException($"Unclosed '{{' at {open} in: {text}");
            }

            if (text[i] == '}')
            {
                return i + 1;
            }

            if (text[i] == ',')
            {
                i++;
                continue;
            }

            var end = AfterWord(text, i);
            labels.Add(text[i..end]);
            i = SkipSpace(text, end);
            while (i < text.Length && text[i] is '=' or '!' or '~')
            {
                i++;
            }

            i = AfterString(text, SkipSpace(text, i));
        }
    }

    private static int AfterString(string text, int open)
    {
        var quote = text[open];
        var i = open + 1;
        while (i < text.Length && text[i] != quote)
        {
            i += text[i] == '\\' && quote != '`' ? 2 : 1;
        }

        return i + 1;
    }

    private static int AfterWord(string text, int start)
    {
        var i = start;
        while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] is '_' or ':' or '.'))
        {
            i++;
        }

        return i;
    }

    private static int SkipSpace(string text, int start)
    {
        var i = start;
        while (i < text.Length && char.IsWhiteSpace(text[i]))
        {
            i++;
        }

        return i;
    }
}
