namespace OrleansTenancy.Tenancy.Registry.Yaml;

/// <summary>
/// Typed, validating access to one YAML mapping with a fixed set of allowed keys. Duplicate and unknown
/// keys are reported when the reader is created; each getter reports a wrong type or range and returns
/// <see langword="null"/> so parsing continues and every problem of a file is found in one pass.
/// </summary>
internal sealed class MappingReader
{
    private readonly Dictionary<string, KeyValuePair<YamlScalar, YamlNode>> _entries = new(StringComparer.Ordinal);

    private MappingReader(YamlMapping mapping, string section, ProblemSink sink, IReadOnlyCollection<string> allowedKeys)
    {
        Mapping = mapping;
        Section = section;
        Sink = sink;
        foreach (var entry in mapping.Entries)
        {
            var key = entry.Key.Value;
            if (_entries.TryGetValue(key, out var first))
            {
                sink.Error(entry.Key, $"Duplicate key '{key}' in {section} (first defined on line {first.Key.Line}); keep one.");
                continue;
            }

            if (!allowedKeys.Contains(key))
            {
                sink.Error(entry.Key, $"Unknown key '{key}' in {section}{Suggest.DidYouMean(key, allowedKeys)}. Allowed keys: {string.Join(", ", allowedKeys)}.");
                continue;
            }

            _entries.Add(key, entry);
        }
    }

    public YamlMapping Mapping { get; }

    public string Section { get; }

    public ProblemSink Sink { get; }

    /// <summary>Wraps <paramref name="node"/> if it is a mapping; otherwise reports the wrong type and returns <see langword="null"/>.</summary>
    public static MappingReader? Open(YamlNode node, string section, ProblemSink sink, IReadOnlyCollection<string> allowedKeys)
    {
        if (node is YamlMapping mapping)
        {
            return new MappingReader(mapping, section, sink, allowedKeys);
        }

        sink.Error(node, $"Expected a mapping of keys to values for {section}, but found {node.KindName}.");
        return null;
    }

    /// <summary>The keys present (after dropping duplicates and unknown keys), in file order.</summary>
    public IEnumerable<string> Keys => _entries.Keys;

    public bool Has(string key) => _entries.ContainsKey(key);

    /// <summary>The value node, or <see langword="null"/> when absent or explicitly null.</summary>
    public YamlNode? Node(string key)
        => _entries.TryGetValue(key, out var entry) && entry.Value is not YamlScalar { IsNull: true } ? entry.Value : null;

    public YamlScalar? KeyNode(string key) => _entries.TryGetValue(key, out var entry) ? entry.Key : null;

    public string? Text(string key)
    {
        var node = Node(key);
        if (node is null)
        {
            return null;
        }

        if (node is YamlScalar scalar)
        {
            return scalar.Value;
        }

        Sink.Error(node, $"'{key}' in {Section} must be text, but it is {node.KindName}.");
        return null;
    }

    public bool? Bool(string key)
    {
        var node = Node(key);
        if (node is null)
        {
            return null;
        }

        if (node is YamlScalar { IsPlain: true } scalar)
        {
            switch (scalar.Value)
            {
                case "true" or "True" or "TRUE":
                    return true;
                case "false" or "False" or "FALSE":
                    return false;
            }
        }

        Sink.Error(node, $"'{key}' in {Section} must be true or false, but it is {node.KindName}.");
        return null;
    }

    /// <summary>A finite, non-negative decimal; quoted numeric text is accepted only when <paramref name="allowQuoted"/>.</summary>
    public decimal? Decimal(string key, bool allowQuoted = false)
    {
        var node = Node(key);
        return node is null ? null : Numbers.NonNegativeDecimal(node, $"'{key}' in {Section}", Sink, allowQuoted);
    }

    /// <summary>A whole number at least <paramref name="minimum"/>.</summary>
    public long? WholeNumber(string key, long minimum = 0)
    {
        var node = Node(key);
        return node is null ? null : Numbers.WholeNumber(node, $"'{key}' in {Section}", Sink, minimum);
    }

    /// <summary>A list of non-empty strings (a single string is not accepted: lists are explicit).</summary>
    public IReadOnlyList<string>? TextList(string key)
    {
        var node = Node(key);
        return node is null ? null : TextList(node, $"'{key}' in {Section}", Sink);
    }

    /// <summary>Reads <paramref name="node"/> as a list of distinct non-empty strings, reporting anything else.</summary>
    public static IReadOnlyList<string>? TextList(YamlNode node, string what, ProblemSink sink)
    {
        if (node is not YamlSequence sequence)
        {
            sink.Error(node, $"{what} must be a list, but it is {node.KindName}.");
            return null;
        }

        var values = new List<string>(sequence.Items.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in sequence.Items)
        {
            if (item is not YamlScalar scalar || scalar.IsNull || scalar.Value.Length == 0)
            {
                sink.Error(item, $"Each entry of {what} must be non-empty text, but one is {item.KindName}.");
                continue;
            }

            if (!seen.Add(scalar.Value))
            {
                sink.Warning(item, $"'{scalar.Value}' appears more than once in {what}.");
                continue;
            }

            values.Add(scalar.Value);
        }

        return values;
    }
}
