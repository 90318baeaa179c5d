namespace OrleansTenancy.Silo.Observability;

/// <summary>
/// The tags of one measurement, in the order they were recorded, used as a dictionary key. The comparer
/// also matches a span of tags against a stored key, so a repeated label set is found without allocating.
/// </summary>
internal sealed class LabelKey
{
    private readonly KeyValuePair<string, object?>[] _tags;
    private readonly int _hash;

    private LabelKey(KeyValuePair<string, object?>[] tags, int hash)
    {
        _tags = tags;
        _hash = hash;
    }

    public ReadOnlySpan<KeyValuePair<string, object?>> Tags => _tags;

    public static LabelKey Create(ReadOnlySpan<KeyValuePair<string, object?>> tags) => new(tags.ToArray(), Hash(tags));

    public static int Hash(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var hash = new HashCode();
        foreach (var tag in tags)
        {
            hash.Add(tag.Key, StringComparer.Ordinal);
            hash.Add(tag.Value);
        }

        return hash.ToHashCode();
    }

    public static bool SequenceEquals(ReadOnlySpan<KeyValuePair<string, object?>> left, ReadOnlySpan<KeyValuePair<string, object?>> right)
    {
        if (left.Length != right.Length)
            return false;
        for (var i = 0; i < left.Length; i++)
        {
            if (!string.Equals(left[i].Key, right[i].Key, StringComparison.Ordinal) || !Equals(left[i].Value, right[i].Value))
                return false;
        }

        return true;
    }

    /// <summary>Compares keys with each other and with spans of tags (the allocation-free lookup path).</summary>
    internal sealed class Comparer : IEqualityComparer<LabelKey>, IAlternateEqualityComparer<ReadOnlySpan<KeyValuePair<string, object?>>, LabelKey>
    {
        public static Comparer Instance { get; } = new();

        public bool Equals(LabelKey? x, LabelKey? y) =>
            ReferenceEquals(x, y) || (x is not null && y is not null && x._hash == y._hash && SequenceEquals(x._tags, y._tags));

        public int GetHashCode(LabelKey obj) => obj._hash;

        public bool Equals(ReadOnlySpan<KeyValuePair<string, object?>> alternate, LabelKey other) => SequenceEquals(alternate, other._tags);

        public int GetHashCode(ReadOnlySpan<KeyValuePair<string, object?>> alternate) => Hash(alternate);

        public LabelKey Create(ReadOnlySpan<KeyValuePair<string, object?>> alternate) => LabelKey.Create(alternate);
    }
}
