namespace OrleansTenancy.Runtime.Placement;

/// <summary>
/// A 32-bit hash that is the same in every process and on every machine (unlike <c>string.GetHashCode</c>),
/// so all silos and clients agree on placement. FNV-1a over the UTF-16 code units, then a murmur3
/// finalizer to spread similar keys across the ring.
/// </summary>
public static class StableHash
{
    /// <summary>Hashes one string.</summary>
    public static uint Of(string value) => Finish(Add(2166136261u, value));

    /// <summary>Hashes two strings as one, separated so that ("ab","c") and ("a","bc") differ.</summary>
    public static uint Of(string first, string second) => Finish(Add(Add(Add(2166136261u, first), "/"), second));

    private static uint Add(uint hash, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        foreach (var c in value)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return hash;
    }

    private static uint Finish(uint hash)
    {
        hash ^= hash >> 16;
        hash *= 0x85ebca6b;
        hash ^= hash >> 13;
        hash *= 0xc2b2ae35;
        hash ^= hash >> 16;
        return hash;
    }
}
