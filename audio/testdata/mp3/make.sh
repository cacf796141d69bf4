#!/bin/sh
# Regenerates the MP3 test files and their ffmpeg decodings (the reference
# the pure-Go decoder is compared with), and the Ogg/Opus files of the ffmpeg
# tests. SOURCE: any short 16 kHz speech WAV (these came from
# `deep4deep synth --scale 0.02 --seed 1`, dev file D_1000026.wav).
# Made with ffmpeg 5.1 (Debian 12) and its libmp3lame, libopus, libvorbis.
set -eu
SOURCE=${1:?usage: make.sh SOURCE.wav}
q="-hide_banner -loglevel error -y"
ffmpeg $q -i "$SOURCE" -c:a libmp3lame -b:a 48k -ac 1 mono16k.mp3
ffmpeg $q -i "$SOURCE" -t 0.6 -af "aresample=44100,pan=stereo|c0=c0|c1=0.5*c0" -c:a libmp3lame -b:a 96k stereo44k.mp3
ffmpeg $q -i "$SOURCE" -ar 22050 -c:a libmp3lame -b:a 32k -id3v2_version 3 -metadata title=deep4deep mono22k-id3.mp3
for f in mono16k stereo44k mono22k-id3; do ffmpeg $q -i $f.mp3 -c:a pcm_s16le $f.ffmpeg.wav; done
ffmpeg $q -i "$SOURCE" -c:a libopus -b:a 24k ../clip.opus
ffmpeg $q -i "$SOURCE" -c:a libvorbis -q:a 2 ../clip.ogg
