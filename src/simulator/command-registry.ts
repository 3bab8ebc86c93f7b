/**
 * The application commands usable in the simulated guild, as the application-command index lists
 * them: the Midjourney bot's, and other bots' too, with niji・journey's `imagine` FIRST, so a
 * client that takes the first `imagine` instead of filtering by application id sends its
 * Midjourney job to niji (which answers it: the job records say which bot ran it).
 */
import type {
  APIApplicationCommand,
  APIApplicationCommandIndex,
  APIApplicationSummary,
  Snowflake,
} from '../discord/types.js';

/** `/imagine` as it has been seen in the wild (see /work/shared/MIDJOURNEY.md); versions change. */
export const MIDJOURNEY_IMAGINE_ID = '938956540159881230';
export const MIDJOURNEY_IMAGINE_VERSION = '1237876415471554623';
/** The niji・journey bot: a real second bot with its own `/imagine`, `/describe` and `/blend`. */
export const NIJI_APPLICATION_ID = '1022952195194359889';
/** niji・journey's `/imagine` (MIDJOURNEY.md §10 lists its describe and blend ids). */
export const NIJI_IMAGINE_ID = '1023054140580057099';
export const NIJI_IMAGINE_VERSION = '1166847114203123795';
export const HELPER_APPLICATION_ID = '1100000000000000900';

const PROMPT_OPTION = [{ type: 3, name: 'prompt', description: 'The prompt to imagine', required: true }];
/** Discord's attachment option type. */
const ATTACHMENT = 11;
const DESCRIBE_OPTIONS = [
  { type: ATTACHMENT, name: 'image', description: 'The image to describe', required: true },
];
/** `/blend`: two images required, three more optional, then the dimensions (`--ar 2:3|1:1|3:2`). */
const BLEND_OPTIONS = [
  ...[1, 2, 3, 4, 5].map((i) => ({
    type: ATTACHMENT,
    name: `image${i}`,
    description: `Image #${i}`,
    required: i <= 2,
  })),
  { type: 3, name: 'dimensions', description: 'The dimensions of the image', required: false },
];
const SHORTEN_OPTIONS = [{ type: 3, name: 'prompt', description: 'The prompt to shorten', required: true }];

function command(
  applicationId: Snowflake,
  id: Snowflake,
  version: Snowflake,
  name: string,
  description: string,
  options?: APIApplicationCommand['options'],
): APIApplicationCommand {
  return {
    id,
    application_id: applicationId,
    version,
    name,
    description,
    type: 1,
    ...(options === undefined ? {} : { options }),
    dm_permission: true,
    contexts: [0, 1, 2],
    integration_types: [0, 1],
  };
}

export class CommandRegistry {
  private readonly applications: APIApplicationSummary[];
  private readonly commands: APIApplicationCommand[];
  private indexVersion: Snowflake;

  constructor(
    readonly midjourneyApplicationId: Snowflake,
    private readonly nextSnowflake: () => Snowflake,
  ) {
    const mj = midjourneyApplicationId;
    this.applications = [
      {
        id: NIJI_APPLICATION_ID,
        name: 'niji・journey',
        icon: null,
        description: 'Anime style images',
        bot_id: NIJI_APPLICATION_ID,
      },
      {
        id: mj,
        name: 'Midjourney Bot',
        icon: 'f6ce562a6b4979c4b1cbc5b436d3be76',
        description: 'Create images with Midjourney',
        bot_id: mj,
      },
      {
        id: HELPER_APPLICATION_ID,
        name: 'Pixel Helper',
        icon: null,
        description: 'Server utilities',
        bot_id: HELPER_APPLICATION_ID,
      },
    ];
    this.commands = [
      command(
        NIJI_APPLICATION_ID,
        NIJI_IMAGINE_ID,
        NIJI_IMAGINE_VERSION,
        'imagine',
        'Create images with niji・journey',
        PROMPT_OPTION,
      ),
      command(
        NIJI_APPLICATION_ID,
        '1092683500743831652',
        '1166847114203123796',
        'describe',
        'Writes a prompt based on your image.',
        DESCRIBE_OPTIONS,
      ),
      command(
        NIJI_APPLICATION_ID,
        '1061216934374424697',
        '1166847114203123797',
        'blend',
        'Blend images together seamlessly!',
        BLEND_OPTIONS,
      ),
      command(
        mj,
        MIDJOURNEY_IMAGINE_ID,
        MIDJOURNEY_IMAGINE_VERSION,
        'imagine',
        'Create images with Midjourney',
        PROMPT_OPTION,
      ),
      command(
        mj,
        '1092492867185950852',
        '1237876415471554624',
        'describe',
        'Writes a prompt based on your image.',
        DESCRIBE_OPTIONS,
      ),
      command(
        mj,
        '1062880104792997970',
        '1237876415471554625',
        'blend',
        'Blend images together seamlessly!',
        BLEND_OPTIONS,
      ),
      command(
        mj,
        '1121575372539039774',
        '1237876415471554630',
        'shorten',
        'Analyzes and shortens a prompt.',
        SHORTEN_OPTIONS,
      ),
      command(
        mj,
        '972289487818334209',
        '1237876415471554626',
        'info',
        'View information about your profile.',
      ),
      command(
        mj,
        '1000850743479255081',
        '1237876415471554627',
        'settings',
        'View and adjust your personal settings.',
      ),
      command(mj, '972289487818334212', '1237876415471554628', 'fast', 'Switch to fast mode'),
      command(mj, '972289487818334213', '1237876415471554629', 'relax', 'Switch to relax mode'),
      command(mj, '972289487818334214', '1237876415471554631', 'turbo', 'Switch to turbo mode'),
      command(mj, '984273800587776053', '1237876415471554632', 'prefer', 'Preferences', [
        { type: 1, name: 'remix', description: 'Toggle remix mode.' },
      ]),
      command(
        HELPER_APPLICATION_ID,
        '1100000000000000901',
        '1100000000000000902',
        'help',
        'Lists the commands of this server',
      ),
    ];
    this.indexVersion = nextSnowflake();
  }

  /** The index as `GET .../application-command-index` returns it (copies). */
  index(): APIApplicationCommandIndex {
    return structuredClone({
      applications: this.applications,
      application_commands: this.commands,
      version: this.indexVersion,
    });
  }

  hasApplication(applicationId: Snowflake): boolean {
    return this.applications.some((a) => a.id === applicationId);
  }

  /** A command by application and command id. */
  find(applicationId: Snowflake, commandId: Snowflake): APIApplicationCommand | undefined {
    return this.commands.find((c) => c.application_id === applicationId && c.id === commandId);
  }

  /** A command by name (the Midjourney bot's unless another application is named). */
  get(
    name: string,
    applicationId: Snowflake = this.midjourneyApplicationId,
  ): APIApplicationCommand | undefined {
    const found = this.commands.find((c) => c.application_id === applicationId && c.name === name);
    return found && structuredClone(found);
  }

  /**
   * Gives a command a new version, as a bot redeploy does: a client that cached the old one is
   * refused with INTERACTION_APPLICATION_COMMAND_INVALID_VERSION until it refreshes.
   */
  bumpVersion(name = 'imagine', applicationId: Snowflake = this.midjourneyApplicationId): Snowflake {
    const found = this.commands.find((c) => c.application_id === applicationId && c.name === name);
    if (found === undefined) throw new Error(`no command ${name} for application ${applicationId}`);
    found.version = this.nextSnowflake();
    this.indexVersion = this.nextSnowflake();
    return found.version;
  }
}
