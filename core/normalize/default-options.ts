/** The normalizers' default options, apart from the normalizers themselves (light to import). */
import { DEFAULT_ALARM_RULES } from "../detections/alarm-rules";
import type { NormalizeOptions } from "./source-normalizer";

export const DEFAULT_NORMALIZE_OPTIONS: NormalizeOptions = { alarmRules: DEFAULT_ALARM_RULES };
