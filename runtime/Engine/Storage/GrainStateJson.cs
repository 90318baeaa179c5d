using System.Text.Json;

namespace OrleansTenancy.Runtime.Storage;

/// <summary>The default JSON settings of grain state.</summary>
public static class GrainStateJson
{
    /// <summary>
    /// The ASP.NET Core web defaults: camelCase properties, case-insensitive reading. Decimals are written
    /// as JSON numbers with every digit, so they round-trip exactly.
    /// </summary>
    public static JsonSerializerOptions DefaultOptions { get; } = CreateDefault();

    private static JsonSerializerOptions CreateDefault()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
