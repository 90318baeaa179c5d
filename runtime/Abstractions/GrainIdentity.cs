namespace OrleansTenancy.Runtime;

/// <summary>The full identity of a grain: its type name and its key.</summary>
/// <param name="Type">The grain type name, stable across versions: the full name of the grain interface the grain is addressed through.</param>
/// <param name="Key">The grain key.</param>
public readonly record struct GrainIdentity(string Type, string Key)
{
    /// <inheritdoc />
    public override string ToString() => $"{Type}/{Key}";
}
