using System.Text.Json;

namespace OrleansTenancy.Tenancy;

/// <summary>
/// A canonical JSON form for hashing: object properties sorted by ordinal name at every depth, properties whose value is
/// <c>null</c> left out, array order kept, strings re-escaped by the writer (equal strings give equal bytes whatever
/// their source escaping), numbers as their JSON text.
/// </summary>
internal static class CanonicalJson
{
    /// <summary>Writes <paramref name="element"/> in canonical form; an undefined or null element is written as <c>null</c>.</summary>
    public static void Write(Utf8JsonWriter writer, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Undefined:
            case JsonValueKind.Null:
                writer.WriteNullValue();
                break;
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in element.EnumerateObject()
                    .Where(p => p.Value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined))
                    .OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(property.Name);
                    Write(writer, property.Value);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    Write(writer, item);
                }

                writer.WriteEndArray();
                break;
            case JsonValueKind.String:
                writer.WriteStringValue(element.GetString());
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }
}
