using System.Globalization;

namespace OrleansTenancy.Tenancy.Registry.Yaml;

/// <summary>Number parsing with YAML's spellings of infinity and NaN recognised, so they can be named in errors.</summary>
internal static class Numbers
{
    private const NumberStyles DecimalStyle = NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent;

    public static decimal? NonNegativeDecimal(YamlNode node, string what, ProblemSink sink, bool allowQuoted)
    {
        if (node is not YamlScalar scalar || scalar.IsNull || (!scalar.IsPlain && !allowQuoted))
        {
            sink.Error(node, $"{what} must be a number, but it is {node.KindName}.");
            return null;
        }

        var text = scalar.Value.Trim();
        if (IsNonFinite(text))
        {
            sink.Error(node, $"{what} must be a finite number, but it is '{scalar.Value}'.");
            return null;
        }

        if (!decimal.TryParse(text, DecimalStyle, CultureInfo.InvariantCulture, out var value))
        {
            var tooLarge = double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
            sink.Error(node, tooLarge
                ? $"{what} is out of range ('{scalar.Value}'); use a finite number below 79228162514264337593543950335."
                : $"{what} must be a number, but it is {node.KindName}.");
            return null;
        }

        if (value < 0)
        {
            sink.Error(node, $"{what} must not be negative, but it is {scalar.Value}.");
            return null;
        }

        return value;
    }

    public static long? WholeNumber(YamlNode node, string what, ProblemSink sink, long minimum)
    {
        var value = NonNegativeDecimal(node, what, sink, allowQuoted: false);
        if (value is null)
        {
            return null;
        }

        if (value > long.MaxValue)
        {
            sink.Error(node, $"{what} is too large ({((YamlScalar)node).Value}); the largest allowed is {long.MaxValue}.");
            return null;
        }

        if (value != decimal.Truncate(value.Value))
        {
            sink.Error(node, $"{what} must be a whole number, but it is {((YamlScalar)node).Value}.");
            return null;
        }

        if (value < minimum)
        {
            sink.Error(node, $"{what} must be at least {minimum}, but it is {((YamlScalar)node).Value}.");
            return null;
        }

        return (long)value.Value;
    }

    private static bool IsNonFinite(string text)
    {
        var unsigned = text.TrimStart('+', '-');
        return unsigned.Equals(".inf", StringComparison.OrdinalIgnoreCase)
            || unsigned.Equals(".nan", StringComparison.OrdinalIgnoreCase)
            || unsigned.Equals("inf", StringComparison.OrdinalIgnoreCase)
            || unsigned.Equals("infinity", StringComparison.OrdinalIgnoreCase)
            || unsigned.Equals("nan", StringComparison.OrdinalIgnoreCase);
    }
}
