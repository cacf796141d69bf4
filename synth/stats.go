package synth

// Statistics of the real ASVspoof 2017 V2 protocols, from which synth
// generates protocols when no --like folder is given. Regenerate the two
// tables with (P = ../shared/asvspoof2017/protocol_V2, n = train|dev|eval,
// f = that set's protocol file):
//
//	awk -v n=$n '$2=="genuine"{g[$3]++} $2=="spoof"{sp[$3]++} {all[$3]=1}
//	  END{for(k in all) printf "{\"%s\", \"%s\", %d, %d},\n", n, k, g[k], sp[k]}' $P/$f | sort
//	awk -v n=$n '$2=="spoof"{c[$5" "$6" "$7]++} END{for(k in c){split(k,a," ");
//	  printf "{\"%s\", \"%s\", \"%s\", \"%s\", %d},\n", n, a[1], a[2], a[3], c[k]}}' $P/$f | sort

// speakerQuota is one speaker's number of genuine and spoof rows in a set.
type speakerQuota struct {
	set             string
	speaker         string
	genuine, spoofs int
}

// configQuota is the number of spoof rows of one replay configuration
// (environment, playback device, recording device) in a set.
type configQuota struct {
	set, env, playback, recorder string
	n                            int
}

var realSpeakers = []speakerQuota{
	{"train", "M0001", 280, 280},
	{"train", "M0002", 258, 258},
	{"train", "M0003", 30, 30},
	{"train", "M0004", 90, 90},
	{"train", "M0005", 90, 90},
	{"train", "M0006", 150, 150},
	{"train", "M0007", 120, 120},
	{"train", "M0008", 200, 200},
	{"train", "M0009", 189, 189},
	{"train", "M0010", 100, 100},
	{"dev", "M0011", 140, 200},
	{"dev", "M0012", 50, 40},
	{"dev", "M0013", 90, 90},
	{"dev", "M0014", 60, 20},
	{"dev", "M0015", 30, 50},
	{"dev", "M0016", 190, 240},
	{"dev", "M0017", 90, 140},
	{"dev", "M0018", 110, 170},
	{"eval", "M0019", 40, 525},
	{"eval", "M0020", 120, 1068},
	{"eval", "M0021", 70, 563},
	{"eval", "M0022", 110, 798},
	{"eval", "M0023", 60, 584},
	{"eval", "M0024", 50, 532},
	{"eval", "M0025", 140, 1504},
	{"eval", "M0026", 50, 519},
	{"eval", "M0027", 90, 757},
	{"eval", "M0028", 60, 676},
	{"eval", "M0029", 90, 802},
	{"eval", "M0030", 40, 437},
	{"eval", "M0031", 50, 514},
	{"eval", "M0032", 100, 1241},
	{"eval", "M0033", 70, 631},
	{"eval", "M0034", 29, 285},
	{"eval", "M0035", 59, 572},
	{"eval", "M0036", 10, 0},
	{"eval", "M0037", 10, 0},
	{"eval", "M0038", 10, 0},
	{"eval", "M0039", 10, 0},
	{"eval", "M0040", 10, 0},
	{"eval", "M0041", 10, 0},
	{"eval", "M0042", 10, 0},
}

var realConfigs = []configQuota{
	{"train", "E03", "P01", "R01", 335},
	{"train", "E21", "P02", "R01", 1168},
	{"train", "E21", "P03", "R01", 4},
	{"dev", "E03", "P08", "R04", 95},
	{"dev", "E04", "P06", "R02", 95},
	{"dev", "E05", "P01", "R01", 95},
	{"dev", "E06", "P09", "R05", 95},
	{"dev", "E06", "P09", "R06", 95},
	{"dev", "E06", "P09", "R07", 95},
	{"dev", "E16", "P07", "R05", 95},
	{"dev", "E16", "P07", "R06", 95},
	{"dev", "E16", "P07", "R07", 95},
	{"dev", "E18", "P05", "R03", 95},
	{"eval", "E01", "P15", "R13", 748},
	{"eval", "E02", "P20", "R14", 120},
	{"eval", "E02", "P20", "R19", 75},
	{"eval", "E02", "P20", "R25", 82},
	{"eval", "E02", "P21", "R14", 116},
	{"eval", "E02", "P21", "R18", 150},
	{"eval", "E02", "P21", "R25", 98},
	{"eval", "E03", "P08", "R20", 113},
	{"eval", "E06", "P09", "R05", 105},
	{"eval", "E06", "P09", "R06", 84},
	{"eval", "E06", "P09", "R07", 96},
	{"eval", "E07", "P20", "R14", 265},
	{"eval", "E07", "P20", "R19", 272},
	{"eval", "E07", "P20", "R25", 244},
	{"eval", "E07", "P21", "R14", 275},
	{"eval", "E07", "P21", "R18", 279},
	{"eval", "E07", "P21", "R25", 266},
	{"eval", "E08", "P20", "R14", 114},
	{"eval", "E08", "P20", "R19", 67},
	{"eval", "E08", "P20", "R25", 102},
	{"eval", "E08", "P21", "R14", 108},
	{"eval", "E08", "P21", "R18", 120},
	{"eval", "E08", "P21", "R25", 122},
	{"eval", "E09", "P18", "R12", 42},
	{"eval", "E10", "P25", "R16", 346},
	{"eval", "E10", "P26", "R16", 181},
	{"eval", "E11", "P26", "R16", 153},
	{"eval", "E12", "P16", "R11", 183},
	{"eval", "E12", "P17", "R11", 184},
	{"eval", "E13", "P14", "R04", 183},
	{"eval", "E13", "P14", "R09", 182},
	{"eval", "E13", "P14", "R10", 179},
	{"eval", "E13", "P14", "R17", 178},
	{"eval", "E14", "P03", "R04", 181},
	{"eval", "E14", "P03", "R17", 180},
	{"eval", "E15", "P19", "R04", 48},
	{"eval", "E15", "P19", "R20", 74},
	{"eval", "E16", "P07", "R05", 169},
	{"eval", "E16", "P07", "R06", 116},
	{"eval", "E16", "P07", "R07", 145},
	{"eval", "E17", "P12", "R04", 181},
	{"eval", "E17", "P12", "R09", 180},
	{"eval", "E17", "P12", "R10", 184},
	{"eval", "E17", "P12", "R17", 179},
	{"eval", "E18", "P05", "R03", 454},
	{"eval", "E18", "P11", "R12", 22},
	{"eval", "E18", "P18", "R12", 55},
	{"eval", "E18", "P22", "R21", 181},
	{"eval", "E19", "P22", "R22", 1200},
	{"eval", "E20", "P10", "R15", 1138},
	{"eval", "E21", "P03", "R01", 240},
	{"eval", "E22", "P03", "R04", 183},
	{"eval", "E22", "P04", "R17", 181},
	{"eval", "E23", "P15", "R13", 342},
	{"eval", "E24", "P23", "R23", 183},
	{"eval", "E25", "P13", "R08", 182},
	{"eval", "E26", "P24", "R24", 178},
}
