using YamlDotNet.Core;

namespace OrleansTenancy.Tenancy.Registry.Yaml;

/// <summary>
/// A minimal YAML tree that keeps every node's position and every mapping entry in order, including
/// duplicate keys (which YamlDotNet's representation model refuses to hold), so validation can report them.
/// </summary>
internal abstract class YamlNode(Mark start)
{
    public int Line { get; } = (int)start.Line;

    public int Column { get; } = (int)start.Column;

    public abstract string KindName { get; }
}

internal sealed class YamlScalar(Mark start, string value, bool isPlain) : YamlNode(start)
{
    public string Value { get; } = value;

    /// <summary>Plain (unquoted) scalars may be numbers, booleans or null; quoted ones are always strings.</summary>
    public bool IsPlain { get; } = isPlain;

    public bool IsNull => IsPlain && Value is "" or "~" or "null" or "Null" or "NULL";

    public override string KindName => IsNull ? "nothing (null)" : IsPlain ? $"the value '{Value}'" : $"the text \"{Value}\"";
}

internal sealed class YamlMapping(Mark start) : YamlNode(start)
{
    public List<KeyValuePair<YamlScalar, YamlNode>> Entries { get; } = [];

    public override string KindName => "a mapping";
}

internal sealed class YamlSequence(Mark start) : YamlNode(start)
{
    public List<YamlNode> Items { get; } = [];

    public override string KindName => "a list";
}
