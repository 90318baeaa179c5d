namespace OrleansTenancy.Runtime;

/// <summary>The full identity of a grain: its type name and its key.</summary>
/// <param name="Type">The grain type name (stable across versions; by default the grain interface's full name without the leading <c>I</c> convention applied).</param>
/// <param name="Key">The grain key.</param>
public readonly record struct GrainIdentity(string Type, string Key)
{
    /// <inheritdoc />
    public override string ToString() => $"{Type}/{Key}";
}
