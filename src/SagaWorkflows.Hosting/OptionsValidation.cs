using System.ComponentModel.DataAnnotations;
using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace SagaWorkflows.Hosting;

/// <summary>
/// Validates a settings object by its data annotations (and <see cref="IValidatableObject"/>), naming each
/// problem by its configuration key, e.g. <c>SagaWorkflows:Orchestrator:PartitionCount: must be between 0
/// and 4096 (is -1)</c>. Used where settings are read before the host exists; options bound through
/// <c>AddOptions</c> use <c>ValidateDataAnnotations().ValidateOnStart()</c> with the same attributes.
/// </summary>
public static class OptionsValidation
{
    /// <summary>Every problem of <paramref name="options"/>, each prefixed with its configuration key.</summary>
    public static IReadOnlyList<string> Validate(object options, string section)
    {
        ArgumentNullException.ThrowIfNull(options);
        var results = new List<ValidationResult>();
        var context = new ValidationContext(options);
        // The validator skips IValidatableObject once an attribute failed; every problem is wanted at once.
        if (!Validator.TryValidateObject(options, context, results, validateAllProperties: true) && options is IValidatableObject validatable)
        {
            results.AddRange(validatable.Validate(context).Where(r => r != ValidationResult.Success));
        }

        return results
            .DistinctBy(r => (r.ErrorMessage, string.Join(',', r.MemberNames)))
            .SelectMany(r => (r.MemberNames.Any() ? r.MemberNames : [""]).Select(member => Describe(options, section, member, r.ErrorMessage)))
            .ToList();
    }

    /// <summary>Throws <see cref="OptionsValidationException"/> listing every problem, if there is one.</summary>
    public static void ThrowIfInvalid<TOptions>(TOptions options, string section)
        where TOptions : class
    {
        var failures = Validate(options, section);
        if (failures.Count > 0)
        {
            throw new OptionsValidationException(section, typeof(TOptions), failures);
        }
    }

    private static string Describe(object options, string section, string member, string? message)
    {
        if (member.Length == 0)
        {
            return $"{section}: {message}";
        }

        var property = options.GetType().GetProperty(member, BindingFlags.Public | BindingFlags.Instance);
        var key = property?.GetCustomAttribute<ConfigurationKeyAttribute>()?.Key ?? $"{section}:{member}";
        var value = property?.GetValue(options);
        var shown = property?.GetCustomAttribute<ConfigurationKeyAttribute>()?.Secret == true ? "" : $" (is '{value}')";
        return $"{key}: {message}{shown}";
    }
}

/// <summary>
/// The configuration key of a settings property that is not read from its class's section, e.g. a
/// connection string; documentation and validation messages use it.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ConfigurationKeyAttribute(string key) : Attribute
{
    public string Key { get; } = key;

    /// <summary>Never echo the value in messages (it may hold a password).</summary>
    public bool Secret { get; init; }
}

/// <summary>
/// <see cref="IValidateOptions{TOptions}"/> by <see cref="OptionsValidation"/>: each problem named by its
/// configuration key. Register with <see cref="OptionsValidationExtensions.ValidateBySection{TOptions}"/>.
/// </summary>
public sealed class SectionOptionsValidator<TOptions>(string section) : IValidateOptions<TOptions>
    where TOptions : class
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var failures = OptionsValidation.Validate(options, section);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

public static class OptionsValidationExtensions
{
    /// <summary>Validates the options' data annotations when first used, messages naming configuration keys.</summary>
    public static OptionsBuilder<TOptions> ValidateBySection<TOptions>(this OptionsBuilder<TOptions> builder, string section)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<IValidateOptions<TOptions>>(new SectionOptionsValidator<TOptions>(section));
        return builder;
    }
}
