using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace OrleansTenancy.Runtime.Messaging;

/// <summary>How grain call arguments and results are serialized between silos and clients.</summary>
public sealed class GrainSerializationOptions
{
    /// <summary>
    /// The System.Text.Json options for arguments and results. Defaults to general (case-sensitive, PascalCase)
    /// settings with the reflection resolver; add source-generated contexts to <see cref="JsonSerializerOptions.TypeInfoResolverChain"/> for speed.
    /// All silos and clients of a cluster must use compatible options.
    /// </summary>
    public JsonSerializerOptions SerializerOptions { get; set; } = new(JsonSerializerDefaults.General)
    {
        TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
    };
}
