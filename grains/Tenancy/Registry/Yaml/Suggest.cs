namespace OrleansTenancy.Tenancy.Registry.Yaml;

/// <summary>"Did you mean" hints for misspelt keys, values and file names.</summary>
internal static class Suggest
{
    /// <summary>Returns <c>"; did you mean 'x'?"</c>-style text for the closest candidate, or an empty string.</summary>
    public static string DidYouMean(string given, IEnumerable<string> candidates)
    {
        var best = Closest(given, candidates);
        return best is null ? string.Empty : $" (did you mean '{best}'?)";
    }

    public static string? Closest(string given, IEnumerable<string> candidates)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            var distance = Distance(given.ToLowerInvariant(), candidate.ToLowerInvariant());
            if (distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        // Allow roughly one edit per three characters so short keys do not match everything.
        return best is not null && bestDistance <= Math.Max(1, Math.Min(3, best.Length / 3)) ? best : null;
    }

    /// <summary>Edit distance counting an adjacent swap as one edit, the most common typo.</summary>
    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
