/** A frame's base64 grids decoded once, shared by the Train and Test views. */
import type { FrameEvent } from '../../src/core/protocol';
import { decodeBase64 } from '../../src/core/figure/base64';

export interface DecodedFrame {
  frame: FrameEvent;
  cls: Uint8Array;
  conf: Uint8Array;
  /** Max probability minus the runner-up's (absent in older recordings). */
  margin?: Uint8Array;
  predTrain: Uint8Array;
  predTest: Uint8Array;
}

export function decodeFrame(frame: FrameEvent): DecodedFrame {
  return {
    frame,
    cls: decodeBase64(frame.cls),
    conf: decodeBase64(frame.conf),
    margin: frame.margin === undefined ? undefined : decodeBase64(frame.margin),
    predTrain: decodeBase64(frame.predTrain),
    predTest: decodeBase64(frame.predTest),
  };
}

/** Remembers the last decoded frame: redraws (resize, theme) don't decode again. */
export function frameDecoder(): (f: FrameEvent) => DecodedFrame {
  let last: DecodedFrame | undefined;
  return (f) => (last && last.frame === f ? last : (last = decodeFrame(f)));
}
