using System.Globalization;
using OrleansTenancy.Tenancy.Registry.Yaml;

namespace OrleansTenancy.Tenancy.Registry.Parsing;

/// <summary>Rules for slugs, Discord snowflakes and key hashes.</summary>
internal static class Identifiers
{
    public const string SlugRule = "1 to 63 lowercase letters, digits or hyphens, starting with a letter or digit";

    public static bool IsSlug(string text)
    {
        if (text.Length is 0 or > 63 || text[0] == '-')
        {
            return false;
        }

        foreach (var c in text)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A Discord snowflake: 17–20 decimal digits, above zero, within <see cref="ulong"/>.</summary>
    public static bool TryParseSnowflake(string text, out ulong id)
    {
        id = 0;
        if (text.Length is < 17 or > 20)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        return ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out id) && id > 0;
    }

    public static ulong? Snowflake(YamlNode node, string what, ProblemSink sink)
    {
        if (node is YamlScalar { IsNull: false } scalar && TryParseSnowflake(scalar.Value, out var id))
        {
            return id;
        }

        sink.Error(node, $"{what} must be a Discord guild id (a snowflake: 17 to 20 digits, at most {ulong.MaxValue}), but it is {node.KindName}.");
        return null;
    }

    public static bool IsSha256Hex(string text)
    {
        if (text.Length != 64)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
