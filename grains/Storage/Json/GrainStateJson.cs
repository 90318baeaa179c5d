using System.Text.Json;

namespace OrleansTenancy.Storage;

/// <summary>The JSON settings of stored grain state: one set for every provider, so state moves between them unchanged.</summary>
public static class GrainStateJson
{
    /// <summary>
    /// The ASP.NET Core web defaults: camelCase properties, case-insensitive reading, public properties only (so
    /// <c>[JsonIgnore]</c> and computed properties of the state types decide what is stored). Decimals are written as
    /// JSON numbers with every digit and their scale (<c>1.50</c> stays <c>1.50</c>); <see cref="DateTimeOffset"/> is
    /// written in ISO 8601 with its offset and all seven fractional digits; records bind through their constructors.
    /// </summary>
    public static JsonSerializerOptions DefaultOptions { get; } = CreateDefault();

    private static JsonSerializerOptions CreateDefault()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
